//! Realistic customers: names in many scripts, valid phone numbers, devices that match their
//! platform.

use chrono::{DateTime, Duration, Utc};
use userdesk_model::{Platform, Profile, ProfileId, ProfileStatus, ProfileType};

use crate::rng::Rng;

/// (first name, its ASCII spelling for email addresses)
const FIRST_NAMES: &[(&str, &str)] = &[
    ("Olivia", "olivia"),
    ("Liam", "liam"),
    ("Emma", "emma"),
    ("Noah", "noah"),
    ("Amelia", "amelia"),
    ("Oliver", "oliver"),
    ("Sophia", "sophia"),
    ("Elijah", "elijah"),
    ("Mia", "mia"),
    ("Lucas", "lucas"),
    ("Chloé", "chloe"),
    ("Hugo", "hugo"),
    ("Léa", "lea"),
    ("Louis", "louis"),
    ("Zoë", "zoe"),
    ("Mateo", "mateo"),
    ("Sofía", "sofia"),
    ("Alejandro", "alejandro"),
    ("Lucía", "lucia"),
    ("Diego", "diego"),
    ("Hannah", "hannah"),
    ("Lukas", "lukas"),
    ("Jürgen", "juergen"),
    ("Anna", "anna"),
    ("Giulia", "giulia"),
    ("Lorenzo", "lorenzo"),
    ("Aarav", "aarav"),
    ("Priya", "priya"),
    ("Ananya", "ananya"),
    ("Rohan", "rohan"),
    ("Wei", "wei"),
    ("Mei", "mei"),
    ("Hiroshi", "hiroshi"),
    ("Yuki", "yuki"),
    ("Min-jun", "minjun"),
    ("Seo-yeon", "seoyeon"),
    ("Chidi", "chidi"),
    ("Amara", "amara"),
    ("Kwame", "kwame"),
    ("Zainab", "zainab"),
    ("Omar", "omar"),
    ("Layla", "layla"),
    ("Mohammed", "mohammed"),
    ("Fatima", "fatima"),
    ("Ingrid", "ingrid"),
    ("Lars", "lars"),
    ("Astrid", "astrid"),
    ("Björn", "bjoern"),
    ("Siobhán", "siobhan"),
    ("Ciarán", "ciaran"),
    ("Zofia", "zofia"),
    ("Jakub", "jakub"),
    ("Ana", "ana"),
    ("João", "joao"),
    ("Isabela", "isabela"),
    ("Gabriel", "gabriel"),
    ("Noor", "noor"),
    ("Yusuf", "yusuf"),
    ("Elif", "elif"),
    ("Emre", "emre"),
];

const LAST_NAMES: &[(&str, &str)] = &[
    ("Smith", "smith"),
    ("Johnson", "johnson"),
    ("Williams", "williams"),
    ("Brown", "brown"),
    ("Jones", "jones"),
    ("Garcia", "garcia"),
    ("Miller", "miller"),
    ("Davis", "davis"),
    ("Martínez", "martinez"),
    ("López", "lopez"),
    ("González", "gonzalez"),
    ("Wilson", "wilson"),
    ("Anderson", "anderson"),
    ("Taylor", "taylor"),
    ("Thomas", "thomas"),
    ("Moore", "moore"),
    ("Müller", "mueller"),
    ("Schmidt", "schmidt"),
    ("Schneider", "schneider"),
    ("Fischer", "fischer"),
    ("Dubois", "dubois"),
    ("Lefèvre", "lefevre"),
    ("Moreau", "moreau"),
    ("Laurent", "laurent"),
    ("Rossi", "rossi"),
    ("Russo", "russo"),
    ("Ferrari", "ferrari"),
    ("Esposito", "esposito"),
    ("Sharma", "sharma"),
    ("Patel", "patel"),
    ("Singh", "singh"),
    ("Gupta", "gupta"),
    ("Wang", "wang"),
    ("Li", "li"),
    ("Zhang", "zhang"),
    ("Chen", "chen"),
    ("Tanaka", "tanaka"),
    ("Suzuki", "suzuki"),
    ("Kim", "kim"),
    ("Park", "park"),
    ("Okafor", "okafor"),
    ("Mensah", "mensah"),
    ("Adeyemi", "adeyemi"),
    ("Diallo", "diallo"),
    ("Haddad", "haddad"),
    ("Khan", "khan"),
    ("Nasser", "nasser"),
    ("Yilmaz", "yilmaz"),
    ("Johansson", "johansson"),
    ("Nielsen", "nielsen"),
    ("Andersen", "andersen"),
    ("Virtanen", "virtanen"),
    ("O'Brien", "obrien"),
    ("Murphy", "murphy"),
    ("Kowalski", "kowalski"),
    ("Nowak", "nowak"),
    ("Silva", "silva"),
    ("Santos", "santos"),
    ("Oliveira", "oliveira"),
    ("Costa", "costa"),
];

const EMAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "proton.me",
    "icloud.com",
    "hotmail.com",
    "gmx.de",
    "orange.fr",
    "example.com",
    "acme.io",
    "northwind.co",
    "contoso.com",
];

/// (location, the E.164 prefix of a valid mobile number there, digits that follow)
const PLACES: &[(&str, &str, usize)] = &[
    ("New York, United States", "+1212555", 4),
    ("San Francisco, United States", "+1415555", 4),
    ("Chicago, United States", "+1312555", 4),
    ("Toronto, Canada", "+1416555", 4),
    ("London, United Kingdom", "+447400", 6),
    ("Manchester, United Kingdom", "+447922", 6),
    ("Dublin, Ireland", "+35385", 7),
    ("Berlin, Germany", "+49151", 8),
    ("Munich, Germany", "+49170", 7),
    ("Paris, France", "+33612", 6),
    ("Lyon, France", "+33678", 6),
    ("Madrid, Spain", "+346", 8),
    ("Barcelona, Spain", "+346", 8),
    ("Rome, Italy", "+39347", 7),
    ("Milan, Italy", "+39333", 7),
    ("Amsterdam, Netherlands", "+3161", 7),
    ("Stockholm, Sweden", "+4670", 7),
    ("Warsaw, Poland", "+4850", 7),
    ("Lisbon, Portugal", "+35191", 7),
    ("São Paulo, Brazil", "+55119", 8),
    ("Mexico City, Mexico", "+5255", 8),
    ("Buenos Aires, Argentina", "+5491154", 6),
    ("Mumbai, India", "+9198", 8),
    ("Bengaluru, India", "+9197", 8),
    ("Singapore", "+6591", 6),
    ("Tokyo, Japan", "+81901", 7),
    ("Seoul, South Korea", "+82102", 7),
    ("Sydney, Australia", "+6141", 7),
    ("Lagos, Nigeria", "+234803", 7),
    ("Nairobi, Kenya", "+2547", 8),
    ("Cairo, Egypt", "+2010", 8),
    ("Istanbul, Turkey", "+90532", 7),
    ("Dubai, United Arab Emirates", "+97150", 7),
];

const DESKTOP_BROWSERS: &[&str] = &[
    "Firefox 89.0",
    "Chrome 126.0",
    "Safari 17.5",
    "Edge 125.0",
    "Opera 110.0",
];
const MOBILE_BROWSERS: &[&str] = &[
    "Mobile Safari 17.4",
    "Chrome Mobile 125.0",
    "Samsung Internet 24.0",
    "Firefox Mobile 126.0",
];

/// An endless, deterministic stream of demo customers created in the three years before `now`.
///
/// Their SESSIONS, LIVE CHAT TAKEOVER and DEVICE are spread as a real workspace's are, for the
/// tests and benchmarks of the profile table alone, which carry no sessions. A workspace with
/// sessions ([`crate::DemoWorkspace`], and the server for any batch) sets them from the sessions.
pub struct DemoProfiles {
    rng: Rng,
    now: DateTime<Utc>,
}

impl DemoProfiles {
    /// The stream for `seed`; the same seed and `now` always give the same profiles.
    pub fn new(seed: u64, now: DateTime<Utc>) -> Self {
        Self {
            rng: Rng::new(seed),
            now,
        }
    }

    fn phone(&mut self, prefix: &str, digits: usize) -> String {
        let mut phone = prefix.to_string();
        for _ in 0..digits {
            phone.push(char::from(b'0' + self.rng.below(10) as u8));
        }
        phone
    }
}

impl Iterator for DemoProfiles {
    type Item = Profile;

    fn next(&mut self) -> Option<Profile> {
        let rng = &mut self.rng;
        let three_years_ms = 3 * 365 * 24 * 3600 * 1000;
        let created_at = self.now - Duration::milliseconds(rng.below(three_years_ms) as i64);
        // Most customers were seen recently: square a uniform draw to skew toward now.
        let span = (self.now - created_at).num_milliseconds().max(1) as u64;
        let fraction = (rng.below(10_000) as f64 / 10_000.0).powi(2);
        let last_seen_at = self.now - Duration::milliseconds((span as f64 * fraction) as i64);
        let id = ProfileId::from_uuid(rng.uuid_at(created_at));
        let platform = *rng.pick(&Platform::ALL);
        let device = match platform {
            Platform::Desktop => rng.pick(DESKTOP_BROWSERS).to_string(),
            Platform::MobileWeb => rng.pick(MOBILE_BROWSERS).to_string(),
            Platform::WhatsApp => "WhatsApp".to_string(),
            Platform::Messenger => "Messenger".to_string(),
            Platform::Telegram => "Telegram".to_string(),
        };
        let (location, phone_prefix, phone_digits) = *rng.pick(PLACES);
        let registered = rng.chance(75);
        let (first_name, last_name, email) = if registered {
            let (first, first_ascii) = *rng.pick(FIRST_NAMES);
            let (last, last_ascii) = *rng.pick(LAST_NAMES);
            let domain = rng.pick(EMAIL_DOMAINS);
            let email = match rng.below(4) {
                0 => format!("{first_ascii}.{last_ascii}@{domain}"),
                1 => format!("{first_ascii}{}@{domain}", rng.below(100)),
                2 => format!("{}.{last_ascii}@{domain}", &first_ascii[..1]),
                _ => format!("{first_ascii}_{last_ascii}{}@{domain}", rng.below(1000)),
            };
            (first.to_string(), last.to_string(), email)
        } else {
            (String::new(), String::new(), String::new())
        };
        let has_phone =
            matches!(platform, Platform::WhatsApp | Platform::Telegram) || rng.chance(60);
        let phone = if has_phone {
            self.phone(phone_prefix, phone_digits)
        } else {
            String::new()
        };
        let rng = &mut self.rng;
        let location = if registered || rng.chance(50) {
            location.to_string()
        } else {
            String::new()
        };
        Some(Profile {
            id,
            email,
            first_name,
            last_name,
            phone,
            location,
            created_at,
            last_seen_at,
            device,
            sessions: 1 + (rng.below(40) * rng.below(40) / 20) as u32,
            live_chat_takeover: rng.chance(12),
            status: if rng.chance(88) {
                ProfileStatus::Active
            } else {
                ProfileStatus::Archived
            },
            kind: if registered {
                ProfileType::Registered
            } else {
                ProfileType::Anonymous
            },
            platform,
            trashed: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use userdesk_model::ProfilePatch;

    fn now() -> DateTime<Utc> {
        "2026-11-28T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn the_same_seed_gives_the_same_customers() {
        let a: Vec<Profile> = DemoProfiles::new(7, now()).take(50).collect();
        let b: Vec<Profile> = DemoProfiles::new(7, now()).take(50).collect();
        let c: Vec<Profile> = DemoProfiles::new(8, now()).take(50).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn every_demo_customer_passes_validation_and_is_plausible() {
        for p in DemoProfiles::new(1, now()).take(5_000) {
            let patch = ProfilePatch {
                email: Some(p.email.clone()),
                first_name: Some(p.first_name.clone()),
                last_name: Some(p.last_name.clone()),
                phone: Some(p.phone.clone()),
                location: Some(p.location.clone()),
            };
            let valid = patch.validate().unwrap_or_else(|e| panic!("{p:?}: {e}"));
            assert_eq!(
                valid.phone.as_deref(),
                Some(p.phone.as_str()),
                "phone already E.164"
            );
            assert!(p.created_at <= p.last_seen_at && p.last_seen_at <= now());
            assert_eq!(p.id.as_uuid().get_version_num(), 7);
            assert!(!p.device.is_empty());
            assert_eq!(p.kind == ProfileType::Anonymous, p.email.is_empty());
        }
    }

    #[test]
    fn every_place_makes_valid_phone_numbers() {
        let mut stream = DemoProfiles::new(9, now());
        for (location, prefix, digits) in PLACES {
            for _ in 0..60 {
                let phone = stream.phone(prefix, *digits);
                let patch = ProfilePatch {
                    phone: Some(phone.clone()),
                    ..Default::default()
                };
                assert!(patch.validate().is_ok(), "{location}: {phone}");
            }
        }
    }

    #[test]
    fn demo_data_has_every_kind_of_customer() {
        let all: Vec<Profile> = DemoProfiles::new(3, now()).take(2_000).collect();
        assert!(all.iter().any(|p| p.status == ProfileStatus::Archived));
        assert!(all.iter().any(|p| p.kind == ProfileType::Anonymous));
        assert!(all.iter().any(|p| p.device == "WhatsApp"));
        assert!(all.iter().any(|p| p.device.starts_with("Firefox")));
        for platform in Platform::ALL {
            assert!(all.iter().any(|p| p.platform == platform));
        }
    }
}
