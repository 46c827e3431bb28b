// DRNetCore is the library a Swift program imports: it re-exports every module of the package
// (dependencies point one way, bottom first):
//
//   DRNetEngine    the solver core: model (heads, renderer, losses, constraint terms, encoder),
//                  the compute-backend seam and the CPU backend, composition graphs, the solver
//                  stages, refine, checkpoints, the solution value
//   DRNetIO        readers and writers of libraries, stick files, masks, graphs, fraction tables
//                  and solution files
//   DRNetCrystal   CIF reader, unit cells, symmetry, form factors, powder patterns → sticks
//   DRNetSynthetic phase diagrams and the synthetic-library generator
//   DRNetAnalysis  evaluation against a truth, rule checks, the community solution format
//   DRNetPlotting  SVG/PNG pictures of solutions
//   DRNetCore      this umbrella and `SolutionFolder` (the whole --out folder in one call)
@_exported import DRNetAnalysis
@_exported import DRNetCrystal
@_exported import DRNetEngine
@_exported import DRNetIO
@_exported import DRNetPlotting
@_exported import DRNetSynthetic
