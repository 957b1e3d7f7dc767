//! Points on the earth, the great-circle distance between them and the
//! compass direction from one to the other.

/// Mean earth radius used for every distance bedboard shows.
pub const EARTH_RADIUS_KM: f64 = 6371.0;

/// A position in decimal degrees (WGS 84, as the municipality table gives it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LatLng {
    pub lat: f64,
    pub lng: f64,
}

impl LatLng {
    /// A point, if both parts are finite and in range.
    pub fn new(lat: f64, lng: f64) -> Option<Self> {
        let valid = lat.is_finite()
            && lng.is_finite()
            && (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lng);
        valid.then_some(Self { lat, lng })
    }

    /// Great-circle distance by the haversine formula, in km.
    pub fn distance_km(self, to: LatLng) -> f64 {
        let (lat1, lat2) = (self.lat.to_radians(), to.lat.to_radians());
        let dlat = lat2 - lat1;
        let dlng = (to.lng - self.lng).to_radians();
        let a = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlng / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
    }

    /// Initial bearing towards `to`, in degrees clockwise from north (0..360).
    pub fn bearing_deg(self, to: LatLng) -> f64 {
        let (lat1, lat2) = (self.lat.to_radians(), to.lat.to_radians());
        let dlng = (to.lng - self.lng).to_radians();
        let y = dlng.sin() * lat2.cos();
        let x = lat1.cos() * lat2.sin() - lat1.sin() * lat2.cos() * dlng.cos();
        y.atan2(x).to_degrees().rem_euclid(360.0)
    }

    /// The eight-point compass direction towards `to`.
    pub fn direction_to(self, to: LatLng) -> Direction {
        Direction::of_bearing(self.bearing_deg(to))
    }
}

/// One of the eight compass directions, named as a dispatcher says them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    North,
    NorthEast,
    East,
    SouthEast,
    South,
    SouthWest,
    West,
    NorthWest,
}

impl Direction {
    const CLOCKWISE: [Direction; 8] = [
        Direction::North,
        Direction::NorthEast,
        Direction::East,
        Direction::SouthEast,
        Direction::South,
        Direction::SouthWest,
        Direction::West,
        Direction::NorthWest,
    ];

    /// The direction whose 45° sector holds `degrees` (clockwise from north).
    pub fn of_bearing(degrees: f64) -> Self {
        let sector = (degrees.rem_euclid(360.0) / 45.0).round() as usize % 8;
        Self::CLOCKWISE[sector]
    }

    /// 北, 北東, 東, 南東, 南, 南西, 西, 北西.
    pub fn label(self) -> &'static str {
        match self {
            Direction::North => "北",
            Direction::NorthEast => "北東",
            Direction::East => "東",
            Direction::SouthEast => "南東",
            Direction::South => "南",
            Direction::SouthWest => "南西",
            Direction::West => "西",
            Direction::NorthWest => "北西",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lat: f64, lng: f64) -> LatLng {
        LatLng::new(lat, lng).unwrap()
    }

    #[test]
    fn one_degree_of_latitude_is_about_111_km() {
        let d = at(35.0, 139.0).distance_km(at(36.0, 139.0));
        assert!((d - 111.19).abs() < 0.01, "{d}");
    }

    #[test]
    fn tokyo_to_osaka_is_about_400_km() {
        // Tokyo Station and Osaka Station.
        let d = at(35.6812, 139.7671).distance_km(at(34.7025, 135.4959));
        assert!((d - 403.0).abs() < 5.0, "{d}");
    }

    #[test]
    fn a_point_is_no_distance_from_itself() {
        let p = at(35.69, 139.75);
        assert_eq!(p.distance_km(p), 0.0);
    }

    #[test]
    fn directions_follow_the_compass() {
        let origin = at(35.0, 139.0);
        assert_eq!(origin.direction_to(at(35.1, 139.0)), Direction::North);
        assert_eq!(origin.direction_to(at(35.0, 139.1)), Direction::East);
        assert_eq!(origin.direction_to(at(34.9, 139.0)), Direction::South);
        assert_eq!(origin.direction_to(at(35.0, 138.9)), Direction::West);
        assert_eq!(origin.direction_to(at(35.1, 139.12)), Direction::NorthEast);
        assert_eq!(origin.direction_to(at(34.9, 138.88)), Direction::SouthWest);
        assert_eq!(Direction::of_bearing(359.0), Direction::North);
        assert_eq!(Direction::of_bearing(-10.0), Direction::North);
        assert_eq!(Direction::NorthWest.label(), "北西");
    }

    #[test]
    fn out_of_range_points_are_refused() {
        assert!(LatLng::new(91.0, 0.0).is_none());
        assert!(LatLng::new(0.0, 181.0).is_none());
        assert!(LatLng::new(f64::NAN, 0.0).is_none());
    }
}
