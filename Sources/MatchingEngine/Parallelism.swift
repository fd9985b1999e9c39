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
        let parts = min(chunks(large: large), max(1, count))
        if parts == 1 { return body(0..<count) }
        var results = [[T]](repeating: [], count: parts)
        results.withUnsafeMutableBufferPointer { buffer in
            let box = SendableBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                box.buffer[part] = body(count * part / parts..<count * (part + 1) / parts)
            }
        }
        return Array(results.joined())
    }
}
