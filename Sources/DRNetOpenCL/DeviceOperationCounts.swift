import DRNetCore

/// What the host asked of an OpenCL device, counted by the device object itself (issue 13: on
/// a GPU the step time is set by host round trips, not by the kernels):
///
/// - `kernelLaunches`: our kernels' `clEnqueueNDRangeKernel` calls plus CLBlast SGEMM calls
///   (one each, whatever CLBlast enqueues inside);
/// - `uploads`: `clEnqueueWriteBuffer` calls, enqueued without waiting (from staging copies;
///   not synchronising);
/// - `queuedReads`: `clEnqueueReadBuffer` calls enqueued without waiting (`readLater`: completed
///   by the next finish; not synchronising themselves);
/// - `blockingReads`: blocking `clEnqueueReadBuffer` calls, each a host synchronisation (the host
///   waits for the queue);
/// - `finishes`: `clFinish` calls;
/// - `fills`: `clEnqueueFillBuffer` calls (enqueued, not synchronising);
/// - `uploadBytes`, `downloadBytes`: bytes moved host → device and device → host by them.
///
/// `hostSynchronisations` = blocking reads + finishes.
public struct DeviceOperationCounts: Sendable, Equatable, Codable {
    public var kernelLaunches = 0
    public var uploads = 0
    public var queuedReads = 0
    public var blockingReads = 0
    public var finishes = 0
    public var fills = 0
    public var uploadBytes = 0
    public var downloadBytes = 0

    public init() {}

    public var hostSynchronisations: Int { blockingReads + finishes }

    /// Counts since `earlier`.
    public func since(_ earlier: DeviceOperationCounts) -> DeviceOperationCounts {
        var d = DeviceOperationCounts()
        d.kernelLaunches = kernelLaunches - earlier.kernelLaunches
        d.uploads = uploads - earlier.uploads
        d.queuedReads = queuedReads - earlier.queuedReads
        d.blockingReads = blockingReads - earlier.blockingReads
        d.finishes = finishes - earlier.finishes
        d.fills = fills - earlier.fills
        d.uploadBytes = uploadBytes - earlier.uploadBytes
        d.downloadBytes = downloadBytes - earlier.downloadBytes
        return d
    }
}
