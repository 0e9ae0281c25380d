// The text of `sysboy --help`.
import { DEFAULTS, ENV_VARS } from '../config/resolve.ts'
import { DEFAULT_SCENES, SCENES } from '../screens/screen-config.ts'

export const usageText = (version: string, metrics: readonly string[]): string => `sysboy ${version}: live PC figures on an analog panel meter

Usage:
  sysboy [--metric NAME] [options]     serve a metric to Sysboy devices (the main job)
  sysboy doctor [options]              which sources work on this PC, and why the others do not
  sysboy devices [options]             list the devices connected to a running host
  sysboy pair [--deny] [DEVICE]        list the boards asking to pair; approve one (or refuse it with --deny)
  sysboy revoke DEVICE                 delete a paired board's own credential and disconnect it
  sysboy update DEVICE                 offer a board the newer firmware this sysboy carries (over Wi-Fi)
  sysboy open [options]                open the running host's dashboard in the browser ($BROWSER if set)
  sysboy install-service [--print]     start sysboy at login (systemd user unit, launchd agent, Windows task)
  sysboy preview [options]             draw a screen scene as PNG, as a board's screen shows it

Options:
  -m, --metric NAME      metric to serve (default ${DEFAULTS.metric}): ${metrics.join(', ')}
  -p, --port N           TCP port (default ${DEFAULTS.port}; 0 picks a free one)
      --bind ADDR        address to listen on (default ${DEFAULTS.bind}: every interface, the token guards it;
                         127.0.0.1 keeps it on this PC and turns mDNS off)
      --interval MS      sampling interval in milliseconds (default ${DEFAULTS.interval})
      --gpu N|all        which GPU (default ${DEFAULTS.gpu}: all GPUs together)
      --source NAME      force one source (nvml, nvidia-smi, amdgpu, ...; see sysboy doctor)
      --prometheus URL   read the metric from a Prometheus server ...
      --query PROMQL     ... with this PromQL query
  -c, --config FILE      config file (default $XDG_CONFIG_HOME/sysboy/config.json or ~/.config/sysboy/config.json;
                         %APPDATA%\\sysboy\\config.json on Windows)
      --token TOKEN      pairing token (default: generated on first run and stored in the config file)
      --nvml-lib PATH    NVML library to load instead of the system's
      --no-mdns          do not advertise _sysboy._tcp on the LAN by mDNS
      --require          exit with code 5 when the metric cannot be read here (default: serve "unknown")
      --print            install-service: print the service file instead of writing it
      --deny             pair: refuse the board instead of approving it
      --scene NAME       preview: ${SCENES.join(', ')} (default hub)
      --size WxH         preview: the screen's size in pixels (default 128x64, the SSD1306 OLED)
      --depth 1|16       preview: colour depth, 1 for a monochrome OLED, 16 for an RGB565 TFT (default 1)
      --metrics A,B,...  preview: the metrics the scene shows (hub 1-4, metric 1, network rx then tx, alert 1;
                         default ${DEFAULT_SCENES.map((s) => `${s.scene} ${s.metrics.join(',')}`).join('; ')}; alert gpu_temp)
      --live             preview: the PC's figures now (two samples one --interval apart) instead of sample figures
  -o, --out FILE         preview: the PNG to write (default SCENE.png); its directory must exist
  -h, --help             this text
  -V, --version          the version

Environment (flags beat these, these beat the config file):
  ${ENV_VARS.join(', ')}

Config file (JSON; every field optional):
  {"metric": "vram", "port": ${DEFAULTS.port}, "bind": "0.0.0.0", "interval": 1000, "gpu": "all", "source": "nvml",
   "prometheus": {"url": "http://localhost:9090", "query": "...", "scale": 100}, "token": "...", "mdns": true,
   "nvmlLib": "/path/to/libnvidia-ml.so.1",
   "metrics": [{"name": "cluster_vram", "url": "http://localhost:9090", "query": "sum(DCGM_FI_DEV_FB_USED)",
                "scale": 655360, "unit": "MiB"}],
   "screens": [{"output": "oled", "scenes": [{"scene": "hub", "metrics": ["vram", "cpu", "gpu_temp", "ram"]}],
                "carousel_ms": 10000, "alerts": [{"metric": "gpu_temp", "above": 85, "clear_below": 80}]}]}

Exit codes:
  0 ok   1 internal error   2 bad command line   3 bad config   4 port in use or address not bindable
  5 metric unavailable (with --require)   6 host not reachable (devices, pair, revoke, update, open)   7 service file not written
  8 browser not started (open)
`
