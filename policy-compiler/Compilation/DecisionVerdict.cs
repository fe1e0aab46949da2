namespace PolicyCompiler.Compilation;

/// <summary>The outcome of a decision.</summary>
public enum DecisionVerdict : byte
{
    /// <summary>The connection is refused.</summary>
    Blocked,

    /// <summary>The connection may proceed.</summary>
    Allowed,
}
