//! Geography: points, distances and directions, and the places a dispatcher
//! names as the origin of a search for the nearest hospital.

pub mod places;
pub mod point;

pub use places::{places, Origin, Place, PlaceError, Places};
pub use point::{Direction, LatLng};
