import DRNetCore

/// The synthetic libraries and reduced settings shared by the end-to-end solve tests.
public enum SyntheticSolveSetups {
    /// A small ternary library (N = 28, T = 200, 3 true phases + 3 distractors) and settings for
    /// a reduced but real solve of a few seconds: `maxSteps` training steps, 300 polish, 200
    /// fine-tune; learning rate by model (free per-sample latents move faster).
    public static func small(model: SolverOptions.ModelKind = .amortised, maxSteps: Int = 1500) -> (SyntheticLibrary, SolverOptions) {
        let syn = SyntheticLibrary.make(divisions: 6, gridCount: 200, qRange: 15...45, sticksPerPhase: 10, distractors: 3, seed: 4)
        var o = SolverOptions()
        o.backgroundFromData = false  // these peaks sit on no baseline; keep the default model's fitted background under test
        o.model = model
        o.hiddenLayers = [64, 64]
        o.learningRate = model == .amortised ? 1e-3 : 3e-2
        o.pretrainSteps = 300
        o.rampUnit = 20
        o.maxSteps = maxSteps
        o.fineTuneSteps = 200
        o.convergenceWindow = 100
        o.walkPoolSize = 200
        o.polishSteps = 300
        return (syn, o)
    }

    /// A tiny library (N = 15, T = 150) and a 120 + 30 + 30-step run through every stage, for
    /// tests that solve many times (determinism, checkpoints).
    public static func tiny() -> (SyntheticLibrary, SolverOptions) {
        let syn = SyntheticLibrary.make(divisions: 4, gridCount: 150, qRange: 15...40, sticksPerPhase: 8, distractors: 2, seed: 9)
        var o = SolverOptions()
        o.backgroundFromData = false  // these peaks sit on no baseline; keep the default model's fitted background under test
        o.hiddenLayers = [32]
        o.maxSteps = 120
        o.pretrainSteps = 40
        o.rampUnit = 4
        o.polishSteps = 30
        o.fineTuneSteps = 30
        o.walkPoolSize = 50
        o.walkLength = 5
        return (syn, o)
    }
}
