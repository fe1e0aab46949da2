namespace PolicyCompiler.Groups;

/// <summary>The baseline a policy starts from (sbx: Open, Balanced, Locked Down).</summary>
public enum DefaultPolicy : byte
{
    /// <summary>Everything allowed: one "**" allow rule.</summary>
    AllowAll,

    /// <summary>Default deny with the five built-in groups allowed.</summary>
    Balanced,

    /// <summary>Nothing allowed until rules say so.</summary>
    DenyAll,
}
