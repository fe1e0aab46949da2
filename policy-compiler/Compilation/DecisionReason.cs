namespace PolicyCompiler.Compilation;

/// <summary>Why a decision came out the way it did.</summary>
public enum DecisionReason : byte
{
    /// <summary>No rule matched: everything not allowed is blocked.</summary>
    NoMatchingRule,

    /// <summary>An allow rule matched and no deny rule did.</summary>
    AllowRule,

    /// <summary>A deny rule matched; deny beats allow whatever the specificity.</summary>
    DenyRule,

    /// <summary>The host failed canonicalisation (see <see cref="Decision.HostError"/>).</summary>
    InvalidHost,

    /// <summary>The port is outside 1-65535.</summary>
    InvalidPort,
}
