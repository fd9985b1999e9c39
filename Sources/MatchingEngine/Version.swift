public enum MatchingEngineVersion { public static let value = "0.1.0" }
