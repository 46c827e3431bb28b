import DRNetCore

/// What the host asked of an OpenCL device, counted by the device object itself (issue 13: on
/// a GPU the step time is set by host round trips, not by the kernels):
///
/// - `kernelLaunches`: our kernels' `clEnqueueNDRangeKernel` calls plus CLBlast SGEMM calls
///   (one each, whatever CLBlast enqueues inside);
/// - `blockingWrites`, `blockingReads`: blocking `clEnqueueWriteBuffer` / `clEnqueueReadBuffer`
///   calls, each a host synchronisation (the host waits for the queue);
/// - `finishes`: `clFinish` calls;
/// - `fills`: `clEnqueueFillBuffer` calls (enqueued, not synchronising).
///
/// `hostSynchronisations` = blocking writes + blocking reads + finishes.
public struct DeviceOperationCounts: Sendable, Equatable, Codable {
    public var kernelLaunches = 0
    public var blockingWrites = 0
    public var blockingReads = 0
    public var finishes = 0
    public var fills = 0

    public init() {}

    public var hostSynchronisations: Int { blockingWrites + blockingReads + finishes }

    /// Counts since `earlier`.
    public func since(_ earlier: DeviceOperationCounts) -> DeviceOperationCounts {
        var d = DeviceOperationCounts()
        d.kernelLaunches = kernelLaunches - earlier.kernelLaunches
        d.blockingWrites = blockingWrites - earlier.blockingWrites
        d.blockingReads = blockingReads - earlier.blockingReads
        d.finishes = finishes - earlier.finishes
        d.fills = fills - earlier.fills
        return d
    }
}
