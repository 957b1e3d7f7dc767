//! Geography: points, distances and directions, and the places a dispatcher
//! names as the origin of a search for the nearest hospital.

pub mod point;

pub use point::{Direction, LatLng};
