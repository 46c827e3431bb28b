/// The tolerances of the backend agreement tests, in one place, each with its reason.
///
/// Every comparison is well-conditioned by construction: a quantity is compared where a small
/// change of its inputs makes a small change of it, with a bound relative to the quantity's own
/// scale (max |want| over the compared block) plus an absolute floor. Nothing is compared after a
/// step that divides a value by its own magnitude (Adam's m̂/(√v̂ + ε)) unless the inputs of that
/// step are identical on both backends (see `adamParameters`).
public enum AgreementTolerances {
    /// Decoder forward x̂ and the per-phase rows B, relative to max |x̂|: float32 peak sums over
    /// ≤ 6σ windows in a different order (SIMD lanes vs work-items), then a max-normalisation.
    public static let decoderForward: Float = 1e-4
    /// Normalised MSE Σ(Δx̂)²/Σx̂² of the whole batch: ggml's test-backend-ops default.
    public static let decoderNormalisedMSE = 1e-7
    /// Loss parts (KL both ways, divergence, L2, L1, total), relative: fp64 reductions in a
    /// different tree order over float32 terms.
    public static let lossParts = 1e-4
    /// d loss/d w relative to the gradient's scale: one sum over the grid per (sample, phase).
    public static let fractionGradient: Float = 2e-4
    /// d loss/d (s, v, IS, f) relative to their scales: these sum products of the peak's
    /// derivative with the loss gradient, whose positive and negative lobes cancel, so the
    /// relative rounding is ~10× that of d/dw.
    public static let peakParameterGradient: Float = 2e-3
    /// Dense-layer outputs relative to their scale: GEMMs of K ≤ 300 float32 products, blocked
    /// differently by OpenBLAS (AVX2 or AVX-512 kernels) and CLBlast (measured ≤ 3.6e-7).
    public static let denseForward: Float = 1e-5
    /// The parameter gradient g after `denseBackward`, relative to max |g| (measured ≤ 2.3e-7
    /// on PoCL at vector widths 8 and 16 against OpenBLAS's Haswell and SkylakeX kernels). An
    /// element whose exact value cancels to ~1e-8 keeps an absolute error of this size, which
    /// is why θ is not compared after Adam on gradients that each backend computed itself.
    public static let parameterGradient: Float = 1e-5
    /// θ after Adam steps on identical gradients and moments, relative to the update size
    /// (learning rate × steps), plus `adamParameterUlps` ulp of max |θ|: the kernel and the CPU
    /// evaluate the same element-wise formula; they may differ by a few ulp in sqrt/division,
    /// by FMA contraction (OpenCL C contracts by default) and by θ's own rounding (measured:
    /// 1 ulp of θ, 6e-8 for |θ| < 1). An arithmetic error (ε inside the root, a missing bias
    /// correction, the wrong scaled range) moves θ by a sizeable part of the update (measured:
    /// 6e-3 for ε under the root), far above this bound.
    public static let adamParameters: Float = 1e-5
    public static let adamParameterUlps: Float = 4
    /// Adam's moments after steps on identical gradients, relative to each block's scale
    /// (measured: 1 ulp, 1.1e-7).
    public static let adamMoments: Float = 1e-6
    /// Loss parts of one training step taken from identical state (θ, moments, step, minibatch)
    /// on two backends, relative: encoder, heads, constraint terms, decoder and loss in float32
    /// with fp64 sums (measured on PoCL, 12 steps: reconstruction ≤ 2.6e-6, smoothness ≤ 2e-7,
    /// total ≤ 4.9e-6 — the total carries γ × the alloy term, which amplifies 1-ulp shift
    /// differences; see `alloyShiftUlps`). Free-running trajectories are never compared: training
    /// amplifies rounding ×10 per ~25 steps (issue 9), on the CPU path against itself too.
    public static let trainingStep = 1e-5
    /// Latents (fractions, shifts) of a training step from identical state, absolute: the
    /// heads' softmax/tanh of float32 encoder outputs (measured: 1 ulp of 1.0, 1.2e-7).
    public static let latents: Float = 1e-6
    /// The alloy term tanh((Δs − 0.95u)/a) amplifies the shifts' rounding by 1/a: it is compared
    /// to this many ulp of 1.0 divided by a (a = shiftAmplify; 9.5e-4 at the default 5e-4;
    /// measured 1.4e-4, from 1-ulp shift differences).
    public static let alloyShiftUlps = 4.0
}
