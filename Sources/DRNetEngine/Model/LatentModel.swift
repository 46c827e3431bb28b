/// What maps samples to head outputs (method.md §3): the reference's amortised encoder, or free
/// per-sample latents. Parameters live in one flat buffer held by the backend's parameter store
/// (so Adam and checkpoints see one array, resident on the device); a model knows the layout.
public protocol LatentModel: AnyObject {
    /// Total number of trainable parameters (including the fattening scalar, last).
    var parameterCount: Int { get }
    /// Index of the shift head's parameters (frozen during fine-tuning).
    var shiftParameters: Range<Int> { get }
    /// Fills `params` with initial values.
    func initialise(_ params: UnsafeMutablePointer<Float>, rng: inout SeededGenerator)
    /// Head outputs for `samples`, whose max-normalised patterns (B×T) and compositions (B×M)
    /// are given; `patternRows` (B, or empty) says which rows of the patterns the backend holds
    /// (`ComputeBackend.holdPatterns`) they are, so that a device need not upload them again.
    /// Keeps what `backward` needs.
    func forward(
        on backend: ComputeBackend, samples: [Int], patterns: [Float], compositions: [Double], patternRows: [Int32]
    ) -> HeadOutputs
    /// Accumulates d loss / d params into the backend's gradient given d loss / d heads of the
    /// last `forward`.
    func backward(on backend: ComputeBackend, gradients: HeadOutputs)
}

extension LatentModel {
    /// `forward` with patterns the backend does not hold (uploaded as given).
    public func forward(on backend: ComputeBackend, samples: [Int], patterns: [Float], compositions: [Double]) -> HeadOutputs {
        forward(on: backend, samples: samples, patterns: patterns, compositions: compositions, patternRows: [])
    }
}
