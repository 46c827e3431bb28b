/// The version of drnet (`drnet --version`, and the `drnetVersion` recorded in every solution).
public enum DRNetVersion {
    public static let string = "0.1.0"
}
