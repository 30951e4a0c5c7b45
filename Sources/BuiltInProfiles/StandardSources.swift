import Profiles

// The profile sources every command and the agent use: the built-in profiles (the
// values generated from hw-profiles/), then /etc/ssc-agent/profiles.d, then --profiles.

extension ProfileSet {
    /// The compiled-in profiles alone.
    public static func builtIn() throws(ProfileLoadErrors) -> ProfileSet {
        try load(builtIn: BuiltInProfiles.all, directories: [])
    }

    /// The built-in profiles, then each directory's `*.toml` files in turn.
    public static func load(directories: [(path: String, required: Bool)]) throws(ProfileLoadErrors) -> ProfileSet {
        try load(builtIn: BuiltInProfiles.all, directories: directories)
    }

    /// Built-in, /etc/ssc-agent/profiles.d if present, then `directory` (which must
    /// exist) if given.
    public static func standard(overrideDirectory directory: String?) throws(ProfileLoadErrors) -> ProfileSet {
        try standard(builtIn: BuiltInProfiles.all, overrideDirectory: directory)
    }
}

extension ProfileStore {
    /// Built-in profiles, /etc/ssc-agent/profiles.d, then `overrideDirectory`.
    public convenience init(overrideDirectory: String?) {
        self.init(builtIn: BuiltInProfiles.all, overrideDirectory: overrideDirectory)
    }
}
