//! The parts scenes are built from: bars, graphs, big numbers and icons, each drawn into a place it is given.

pub(crate) mod bar;
pub(crate) mod big_number;
pub(crate) mod graph;
pub(crate) mod icon;
