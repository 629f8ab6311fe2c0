"""Where a simulated dog is: a daily round of walks around home, as pure functions of time.

Each dog walks a loop that starts and ends at home: along two streets to a
park, once round the park (with a run and a stop to play at the far side),
and back; then it eats, rests and sleeps at home before the next walk. Its
position, GPS accuracy, battery and activity depend only on the simulated
time, so a test that moves a fake clock sees exactly what a running collar
would report then.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
import hashlib
import math

# The values the device API contract allows (custom_components/pawcontrol/api.py).
ACTIVITIES = ("resting", "sleeping", "walking", "running", "playing", "eating")

METRES_PER_DEGREE = 111_320.0
"""Metres per degree of latitude (and of longitude at the equator)."""

HOME_ACCURACY = 18.0  # metres: a collar indoors
OUTDOOR_ACCURACY = 6.0  # metres: a collar under the open sky
PLAY_RADIUS = 8.0  # metres: the dog runs round its owner while playing
BATTERY_DRAIN_PER_HOUR = 6.0  # percent
BATTERY_RECHARGED_BELOW = 10.0  # percent; then the collar is back at 100 %
DRAIN_PER_MINUTE = 10.0  # percent, in the `drain` mode
CHARGE_PER_MINUTE = 20.0  # percent, in the `drain` mode
DRAIN_FLOOR = 5.0  # percent; there the collar is put on its charger
WANDER_SPEED = 1.3  # metres per second, in the `wander` mode


@dataclass(frozen=True, kw_only=True, slots=True)
class DogProfile:
    """The shape of one dog's walk and its pace."""

    dog_id: str
    bearing: float
    """Direction of the park from home, in degrees clockwise from north."""
    reach: float
    """Metres from home to the centre of the park."""
    radius: float
    """Metres from the centre of the park to its path."""
    walk_speed: float = 1.4
    """Metres per second while walking (about 5 km/h)."""
    run_speed: float = 3.5
    """Metres per second while running."""
    battery_start: float = 90.0
    """Battery in percent when the simulation starts."""
    start_offset: float = 0.0
    """Seconds into its daily round at which the dog starts."""
    play_seconds: float = 90.0
    home_seconds: tuple[tuple[str, float], ...] = (
        ("eating", 60.0),
        ("resting", 240.0),
        ("sleeping", 300.0),
    )


def profile_for(dog_id: str) -> DogProfile:
    """Return the known profile of a dog, or a plausible one derived from its id."""
    if dog_id in KNOWN_PROFILES:
        return KNOWN_PROFILES[dog_id]
    digest = hashlib.sha256(dog_id.encode()).digest()
    radius = 80.0 + digest[1] % 140  # 80-219 m
    return DogProfile(
        dog_id=dog_id,
        bearing=float(digest[0] * 360 // 256),
        reach=radius + 80.0 + digest[2] % 200,
        radius=radius,
        walk_speed=1.1 + (digest[3] % 50) / 100,
        battery_start=50.0 + digest[4] % 50,
        start_offset=float(digest[5] * 4),
    )


KNOWN_PROFILES: dict[str, DogProfile] = {
    # Buddy leaves at once, so a newcomer sees him move: a 1.6 km round.
    "buddy": DogProfile(
        dog_id="buddy", bearing=40.0, reach=420.0, radius=170.0, battery_start=87.0
    ),
    # Max starts asleep at home: a short 0.8 km round at a slower pace.
    "max": DogProfile(
        dog_id="max",
        bearing=220.0,
        reach=200.0,
        radius=80.0,
        walk_speed=1.2,
        run_speed=3.0,
        battery_start=64.0,
        start_offset=-200.0,
    ),
    # Bella walks far: about 2 km.
    "bella": DogProfile(
        dog_id="bella",
        bearing=130.0,
        reach=480.0,
        radius=190.0,
        walk_speed=1.5,
        battery_start=45.0,
        start_offset=400.0,
    ),
}


@dataclass(frozen=True, slots=True)
class Leg:
    """A stretch of the round: moving along the route, or staying in one place."""

    activity: str
    duration: float
    start: float
    """Distance along the route (metres) at the start of the leg."""
    end: float
    """Distance along the route at the end (equal to start while staying)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Fix:
    """What the collar measures at one moment."""

    latitude: float
    longitude: float
    accuracy: float
    battery: int
    activity: str


@dataclass(slots=True)
class Walk:
    """One dog's round around its home, in local metres (east, north)."""

    profile: DogProfile
    points: list[tuple[float, float]] = field(default_factory=list)
    cumulative: list[float] = field(default_factory=list)
    legs: list[Leg] = field(default_factory=list)
    leg_starts: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Lay out the route and the round's timetable."""
        self.points = _route(self.profile)
        self.cumulative = [0.0]
        for (x0, y0), (x1, y1) in zip(self.points, self.points[1:], strict=False):
            self.cumulative.append(self.cumulative[-1] + math.hypot(x1 - x0, y1 - y0))
        self.legs = _timetable(self.profile, self.cumulative, len(self.points))
        self.leg_starts = []
        elapsed = 0.0
        for leg in self.legs:
            self.leg_starts.append(elapsed)
            elapsed += leg.duration

    @property
    def length(self) -> float:
        """Return the length of the route in metres."""
        return self.cumulative[-1]

    @property
    def period(self) -> float:
        """Return the seconds one round (walk and time at home) takes."""
        return self.leg_starts[-1] + self.legs[-1].duration

    def leg_at(self, seconds: float) -> tuple[Leg, float]:
        """Return the leg at a time and the seconds already spent in it."""
        t = (seconds + self.profile.start_offset) % self.period
        index = bisect_right(self.leg_starts, t) - 1
        return self.legs[index], t - self.leg_starts[index]

    def offset_at(self, seconds: float) -> tuple[float, float, str]:
        """Return the dog's position in metres east and north of home, and its activity."""
        leg, into = self.leg_at(seconds)
        distance = leg.start + (leg.end - leg.start) * into / leg.duration
        east, north = self._point_at(distance)
        if leg.activity == "playing":
            angle = into / 6.0  # a lap round the owner every ~40 s
            east += PLAY_RADIUS * math.cos(angle)
            north += PLAY_RADIUS * math.sin(angle)
        return east, north, leg.activity

    def _point_at(self, distance: float) -> tuple[float, float]:
        """Return the point at a distance along the route."""
        distance = min(max(distance, 0.0), self.length)
        index = min(bisect_right(self.cumulative, distance), len(self.points) - 1)
        (x0, y0), (x1, y1) = self.points[index - 1], self.points[index]
        span = self.cumulative[index] - self.cumulative[index - 1]
        share = 0.0 if span == 0 else (distance - self.cumulative[index - 1]) / span
        return x0 + (x1 - x0) * share, y0 + (y1 - y0) * share


def _route(profile: DogProfile) -> list[tuple[float, float]]:
    """Return the route: home, two streets to the park, round it, and back."""
    bearing = math.radians(profile.bearing)
    unit = (math.sin(bearing), math.cos(bearing))
    centre = (unit[0] * profile.reach, unit[1] * profile.reach)
    gate = (
        unit[0] * (profile.reach - profile.radius),
        unit[1] * (profile.reach - profile.radius),
    )
    corner = (gate[0], 0.0)  # first east or west along one street, then north or south
    # The park path: a circle made a little irregular, the same for a dog every time.
    digest = hashlib.sha256(profile.dog_id.encode()).digest()
    start = math.atan2(gate[1] - centre[1], gate[0] - centre[0])
    lap: list[tuple[float, float]] = []
    for i in range(17):
        wobble = 1.0 if i in (0, 16) else 0.85 + (digest[i] % 30) / 100
        angle = start + 2 * math.pi * i / 16
        lap.append(
            (
                centre[0] + profile.radius * wobble * math.cos(angle),
                centre[1] + profile.radius * wobble * math.sin(angle),
            )
        )
    return [(0.0, 0.0), corner, *lap, corner, (0.0, 0.0)]


def _timetable(profile: DogProfile, cumulative: list[float], count: int) -> list[Leg]:
    """Return the legs of one round: out, round the park (run, play), back, at home."""
    # Indexes into the route: 0 home, 1 corner, 2-18 the lap, 19 corner, 20 home.
    lap_start, lap_end = cumulative[2], cumulative[count - 3]
    quarter = (lap_end - lap_start) / 4
    far_side = lap_start + 2 * quarter
    legs = [
        _moving("walking", 0.0, lap_start + quarter, profile.walk_speed),
        _moving("running", lap_start + quarter, far_side, profile.run_speed),
        Leg("playing", profile.play_seconds, far_side, far_side),
        _moving("walking", far_side, cumulative[-1], profile.walk_speed),
    ]
    legs.extend(
        Leg(activity, seconds, 0.0, 0.0) for activity, seconds in profile.home_seconds
    )
    return legs


def _moving(activity: str, start: float, end: float, speed: float) -> Leg:
    """Return a leg that covers the route from start to end at a speed."""
    return Leg(activity, (end - start) / speed, start, end)


def gps_drift(dog_id: str, seconds: float, amplitude: float) -> tuple[float, float]:
    """Return a slowly wandering GPS error in metres (east, north), as real fixes have."""
    digest = hashlib.sha256(dog_id.encode()).digest()
    phase_a, phase_b = digest[6] / 40.0, digest[7] / 40.0
    return (
        amplitude * 0.5 * math.sin(seconds / 37.0 + phase_a),
        amplitude * 0.5 * math.cos(seconds / 53.0 + phase_b),
    )


def accuracy_at(dog_id: str, seconds: float, *, at_home: bool) -> float:
    """Return the accuracy the collar claims: worse indoors, a little unsteady."""
    digest = hashlib.sha256(dog_id.encode()).digest()
    base, swing = (HOME_ACCURACY, 4.0) if at_home else (OUTDOOR_ACCURACY, 2.5)
    return round(base + swing * math.sin(seconds / 41.0 + digest[8] / 40.0), 1)


def battery_at(profile: DogProfile, seconds: float) -> int:
    """Return the battery level: it drains slowly and is recharged when low."""
    span = 100.0 - BATTERY_RECHARGED_BELOW
    used = (100.0 - profile.battery_start) + BATTERY_DRAIN_PER_HOUR * seconds / 3600
    return round(100.0 - used % span)


def drain_at(start: float, seconds: float) -> tuple[int, bool]:
    """Return the battery and whether it charges, ``seconds`` into the `drain` mode.

    From ``start`` the battery falls fast to the floor, charges to 100 %, falls
    again, and so on.
    """
    down = max(0.0, start - DRAIN_FLOOR) / DRAIN_PER_MINUTE * 60
    if seconds < down:
        return round(start - DRAIN_PER_MINUTE * seconds / 60), False
    charge = (100.0 - DRAIN_FLOOR) / CHARGE_PER_MINUTE * 60
    drain = (100.0 - DRAIN_FLOOR) / DRAIN_PER_MINUTE * 60
    into = (seconds - down) % (charge + drain)
    if into < charge:
        return round(DRAIN_FLOOR + CHARGE_PER_MINUTE * into / 60), True
    return round(100.0 - DRAIN_PER_MINUTE * (into - charge) / 60), False


def wander_at(
    start: tuple[float, float], bearing: float, seconds: float
) -> tuple[float, float]:
    """Return where a dog is ``seconds`` into the `wander` mode.

    It left ``start`` walking straight along ``bearing`` (degrees clockwise
    from north) at WANDER_SPEED. Every point of a round lies on the side of
    home its bearing points to, so the dog only gets farther from home.
    """
    distance = WANDER_SPEED * max(seconds, 0.0)
    angle = math.radians(bearing)
    return to_lat_lon(start, distance * math.sin(angle), distance * math.cos(angle))


def to_lat_lon(
    home: tuple[float, float], east: float, north: float
) -> tuple[float, float]:
    """Return the coordinates of a point given in metres east and north of home."""
    latitude, longitude = home
    scale = max(math.cos(math.radians(latitude)), 0.01)
    return (
        latitude + north / METRES_PER_DEGREE,
        longitude + east / (METRES_PER_DEGREE * scale),
    )


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the great-circle distance between two coordinates in metres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def fix_at(walk: Walk, home: tuple[float, float], seconds: float) -> Fix:
    """Return what the dog's collar measures at a simulated time."""
    east, north, activity = walk.offset_at(seconds)
    at_home = activity in ("eating", "resting", "sleeping")
    accuracy = accuracy_at(walk.profile.dog_id, seconds, at_home=at_home)
    drift_e, drift_n = gps_drift(walk.profile.dog_id, seconds, accuracy)
    latitude, longitude = to_lat_lon(home, east + drift_e, north + drift_n)
    return Fix(
        latitude=round(latitude, 7),
        longitude=round(longitude, 7),
        accuracy=accuracy,
        battery=battery_at(walk.profile, seconds),
        activity=activity,
    )
