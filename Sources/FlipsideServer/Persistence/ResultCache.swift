import Vapor

/// The last results computed on this instance, by a key that names everything they were computed from
/// (including the `DataVersions` they read), least recently used dropped first.
actor ResultCache {
    private var entries: [String: (value: any Sendable, used: UInt64)] = [:]
    private var inFlight: [String: Task<any Sendable, any Error>] = [:]
    private var clock: UInt64 = 0
    private let capacity: Int

    init(capacity: Int = 512) { self.capacity = capacity }

    func value<T: Sendable>(_ key: String, as type: T.Type = T.self) -> T? {
        guard let entry = entries[key], let value = entry.value as? T else { return nil }
        clock += 1
        entries[key] = (value, clock)
        return value
    }

    /// The kept result for `key`, or `compute`'s. Requests that miss the same key at the same moment
    /// wait for one computation instead of each running their own (a cold cache under load).
    func value<T: Sendable>(_ key: String, compute: @escaping @Sendable () async throws -> T) async throws -> T {
        if let kept: T = value(key) { return kept }
        if let running = inFlight[key], let result = try await running.value as? T { return result }
        let task = Task<any Sendable, any Error> { try await compute() }
        inFlight[key] = task
        do {
            let result = try await task.value
            inFlight[key] = nil
            keep(result, for: key)
            guard let typed = result as? T else { throw ResultCacheError() }
            return typed
        } catch {
            inFlight[key] = nil
            throw error
        }
    }

    /// The result named `name` for `version` only: a large result (everyone's employment facts) is
    /// replaced when its table changes, never kept beside older versions of itself.
    func current<T: Sendable>(_ name: String, version: some CustomStringConvertible, compute: @escaping @Sendable () async throws -> T) async throws -> T {
        let key = "\(name)|\(version)"
        dropOtherVersions(of: name, keeping: key)
        return try await value(key, compute: compute)
    }

    /// Keeps `value` as the one version of `name` (every other version of it dropped).
    func keepCurrent(_ value: some Sendable, name: String, version: String) {
        let key = "\(name)|\(version)"
        dropOtherVersions(of: name, keeping: key)
        keep(value, for: key)
    }

    private func dropOtherVersions(of name: String, keeping key: String) {
        for stale in entries.keys where stale.hasPrefix(name + "|") && stale != key { entries[stale] = nil }
    }

    /// The minute `date` falls in, counted from 1970: a result that depends on "now" (meetings so far,
    /// flags now, a proposal's expiry) is kept for its minute and computed as of its start.
    static func minute(of date: Date) -> Int { Int((date.timeIntervalSince1970 / 60).rounded(.down)) }

    struct ResultCacheError: Error {}

    func keep(_ value: some Sendable, for key: String) {
        clock += 1
        entries[key] = (value, clock)
        if entries.count > capacity, let oldest = entries.min(by: { $0.value.used < $1.value.used })?.key {
            entries[oldest] = nil
        }
    }
}

extension Application {
    private struct ResultCacheKey: StorageKey { typealias Value = ResultCache }

    /// This instance's cache of computed results, made by `configure`.
    var results: ResultCache {
        get { storage[ResultCacheKey.self] ?? ResultCache() }
        set { storage[ResultCacheKey.self] = newValue }
    }
}
