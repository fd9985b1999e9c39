import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many cores the engine's parallel sections use on the current thread: two (the default), or one
/// inside `Parallelism.alone { … }` — what a server does for a background run, so that a core stays
/// free for requests meanwhile. A per-thread setting, read where the work is split.
public enum Parallelism {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Runs `body` with the engine on one core (on this thread).
    public static func alone<T>(_ body: () throws -> T) rethrows -> T {
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
        defer { pthread_setspecific(key, nil) }
        return try body()
    }

    /// The number of parts to split work of the given size into: 2 when `large`, unless this thread
    /// runs the engine alone.
    @inline(__always)
    static func chunks(large: Bool) -> Int {
        guard large else { return 1 }
        return pthread_getspecific(key) == nil ? 2 : 1
    }

    /// `body` over `0..<count` in contiguous parts, on as many cores as `chunks(large:)` gives, with
    /// the parts' results joined in order. `body` runs on other threads: it must not touch task-locals.
    public static func inParts<T>(_ count: Int, large: Bool, _ body: @Sendable (Range<Int>) -> [T]) -> [T] {
        var results = parts(count, large: large, body)
        if results.count == 1 { return results[0] }
        var joined: [T] = []
        joined.reserveCapacity(results.reduce(0) { $0 + $1.count })
        for index in results.indices {
            joined.append(contentsOf: results[index])
            results[index] = []
        }
        return joined
    }

    /// As `inParts`, each part's results kept apart, in order: where the results are many and large,
    /// joining them costs a copy of each (a twentieth of a second for 100,000 records of an HR file).
    public static func parts<T>(_ count: Int, large: Bool, _ body: @Sendable (Range<Int>) -> [T]) -> [[T]] {
        let parts = min(chunks(large: large), max(1, count))
        if parts == 1 { return [body(0..<count)] }
        var results = [[T]](repeating: [], count: parts)
        results.withUnsafeMutableBufferPointer { buffer in
            let box = SendableBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                box.buffer[part] = body(count * part / parts..<count * (part + 1) / parts)
            }
        }
        return results
    }
}
