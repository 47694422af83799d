"""Few-shot class splits of the three scene datasets, exactly as the paper's Table A2 lists them (App. B.5.8).

Each split maps the class names as Table A2 prints them to the class folders as the release spells them
(NWPU-RESISC45 ``golf_course``, WHU-RS19 ``footballField``, UC Merced ``golfcourse``), subset by subset:
``train`` (the base classes the relation module is trained on), ``val`` and ``test`` (the novel classes of the
reported accuracy).

UC Merced: App. B.5.8's text says 10 / 6 / 5 training / validation / test classes, but Table A2 lists 5
validation classes (Airplane, Runway, Forest, Intersection, Storage tanks) and 6 test classes (Golf course,
River, Sparse residential, Tennis court, Beach, Mobile home park). The table's lists are kept here, as they
are what names the classes; 5-way test episodes draw 5 of the 6 test classes.
"""
from typing import Dict, Tuple

# the release's class folders, in alphabetical (label) order
NWPU_RESISC45_CLASSES = (
    'airplane', 'airport', 'baseball_diamond', 'basketball_court', 'beach', 'bridge', 'chaparral', 'church',
    'circular_farmland', 'cloud', 'commercial_area', 'dense_residential', 'desert', 'forest', 'freeway',
    'golf_course', 'ground_track_field', 'harbor', 'industrial_area', 'intersection', 'island', 'lake',
    'meadow', 'medium_residential', 'mobile_home_park', 'mountain', 'overpass', 'palace', 'parking_lot',
    'railway', 'railway_station', 'rectangular_farmland', 'river', 'roundabout', 'runway', 'sea_ice', 'ship',
    'snowberg', 'sparse_residential', 'stadium', 'storage_tank', 'tennis_court', 'terrace',
    'thermal_power_station', 'wetland')
WHU_RS19_CLASSES = (
    'Airport', 'Beach', 'Bridge', 'Commercial', 'Desert', 'Farmland', 'footballField', 'Forest', 'Industrial',
    'Meadow', 'Mountain', 'Park', 'Parking', 'Pond', 'Port', 'railwayStation', 'Residential', 'River',
    'Viaduct')
UC_MERCED_CLASSES = (
    'agricultural', 'airplane', 'baseballdiamond', 'beach', 'buildings', 'chaparral', 'denseresidential',
    'forest', 'freeway', 'golfcourse', 'harbor', 'intersection', 'mediumresidential', 'mobilehomepark',
    'overpass', 'parkinglot', 'river', 'runway', 'sparseresidential', 'storagetanks', 'tenniscourt')

SUBSETS = ('train', 'val', 'test')

# split name -> subset -> ((Table A2's name, release folder), ...), in Table A2's order
TABLE_A2: Dict[str, Dict[str, Tuple[Tuple[str, str], ...]]] = {
    'nwpu-resisc45': dict(
        train=(('Cloud', 'cloud'), ('Mountain', 'mountain'), ('Stadium', 'stadium'), ('Airplane', 'airplane'),
               ('Chaparral', 'chaparral'), ('Roundabout', 'roundabout'), ('Church', 'church'),
               ('Ship', 'ship'), ('Golf course', 'golf_course'), ('Meadow', 'meadow'), ('Harbor', 'harbor'),
               ('Freeway', 'freeway'), ('Lake', 'lake'), ('Wetland', 'wetland'),
               ('Baseball diamond', 'baseball_diamond'), ('Island', 'island'), ('Railway', 'railway'),
               ('Mobile home park', 'mobile_home_park'), ('Palace', 'palace'),
               ('Sparse residential', 'sparse_residential'), ('Bridge', 'bridge'), ('Desert', 'desert'),
               ('Sea ice', 'sea_ice'), ('Beach', 'beach'), ('Rectangular farmland', 'rectangular_farmland')),
        val=(('Thermal power station', 'thermal_power_station'), ('Storage tank', 'storage_tank'),
             ('Terrace', 'terrace'), ('Railway station', 'railway_station'), ('Tennis court', 'tennis_court'),
             ('Snowberg', 'snowberg'), ('Industrial area', 'industrial_area'), ('Runway', 'runway'),
             ('Overpass', 'overpass'), ('Commercial area', 'commercial_area')),
        test=(('Airport', 'airport'), ('Basketball court', 'basketball_court'), ('River', 'river'),
              ('Parking lot', 'parking_lot'), ('Ground track field', 'ground_track_field'),
              ('Medium residential', 'medium_residential'), ('Dense residential', 'dense_residential'),
              ('Circular farmland', 'circular_farmland'), ('Intersection', 'intersection'),
              ('Forest', 'forest'))),
    'whu-rs19': dict(
        train=(('Parking', 'Parking'), ('Port', 'Port'), ('Residential', 'Residential'), ('Bridge', 'Bridge'),
               ('Industrial', 'Industrial'), ('Mountain', 'Mountain'), ('Airport', 'Airport'),
               ('Football field', 'footballField'), ('Desert', 'Desert')),
        val=(('Railway station', 'railwayStation'), ('Beach', 'Beach'), ('Forest', 'Forest'),
             ('Farmland', 'Farmland'), ('Park', 'Park')),
        test=(('Viaduct', 'Viaduct'), ('Pond', 'Pond'), ('Meadow', 'Meadow'), ('River', 'River'),
              ('Commercial', 'Commercial'))),
    'ucm': dict(
        train=(('Parking lot', 'parkinglot'), ('Dense residential', 'denseresidential'), ('Harbor', 'harbor'),
               ('Chaparral', 'chaparral'), ('Freeway', 'freeway'), ('Buildings', 'buildings'),
               ('Overpass', 'overpass'), ('Agricultural', 'agricultural'),
               ('Medium residential', 'mediumresidential'), ('Baseball diamond', 'baseballdiamond')),
        val=(('Airplane', 'airplane'), ('Runway', 'runway'), ('Forest', 'forest'),
             ('Intersection', 'intersection'), ('Storage tanks', 'storagetanks')),
        test=(('Golf course', 'golfcourse'), ('River', 'river'), ('Sparse residential', 'sparseresidential'),
              ('Tennis court', 'tenniscourt'), ('Beach', 'beach'), ('Mobile home park', 'mobilehomepark'))),
}

# split name -> every class folder of the release
RELEASE_CLASSES = {
    'nwpu-resisc45': NWPU_RESISC45_CLASSES,
    'whu-rs19': WHU_RS19_CLASSES,
    'ucm': UC_MERCED_CLASSES,
}


def split_classes(split: str, subset: str) -> Tuple[str, ...]:
    """The release's class folders of ``subset`` (train / val / test) of ``split``, in Table A2's order."""
    if split not in TABLE_A2:
        raise ValueError(f'unknown few-shot split {split!r}; known: {", ".join(sorted(TABLE_A2))}')
    if subset not in SUBSETS:
        raise ValueError(f'unknown subset {subset!r} of split {split!r}; known: {", ".join(SUBSETS)}')
    return tuple(folder for _, folder in TABLE_A2[split][subset])
