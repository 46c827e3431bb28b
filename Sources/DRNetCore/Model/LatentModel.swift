/// What maps samples to head outputs (method.md §3): the reference's amortised encoder, or free
/// per-sample latents. Parameters live in one flat buffer owned by the trainer (so Adam and
/// checkpoints see one array); a model knows the layout.
public protocol LatentModel: AnyObject {
    /// Total number of trainable parameters (including the fattening scalar, last).
    var parameterCount: Int { get }
    /// Index of the shift head's parameters (frozen during fine-tuning).
    var shiftParameters: Range<Int> { get }
    /// Fills `params` with initial values.
    func initialise(_ params: UnsafeMutablePointer<Float>, rng: inout SeededGenerator)
    /// Head outputs for `samples`, whose max-normalised patterns (B×T) and compositions (B×M)
    /// are given. Keeps what `backward` needs.
    func forward(_ params: UnsafePointer<Float>, samples: [Int], patterns: [Float], compositions: [Double]) -> HeadOutputs
    /// Accumulates d loss / d params given d loss / d heads of the last `forward`.
    func backward(_ params: UnsafePointer<Float>, gradients: HeadOutputs, into grads: UnsafeMutablePointer<Float>)
}
