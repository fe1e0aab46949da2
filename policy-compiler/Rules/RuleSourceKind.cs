namespace PolicyCompiler.Rules;

/// <summary>Where a rule came from.</summary>
public enum RuleSourceKind : byte
{
    /// <summary>A built-in group (the defaults); cannot be removed.</summary>
    BuiltIn,

    /// <summary>Added with `gateway policy allow|deny`; stored in the state directory.</summary>
    Local,

    /// <summary>Declared by a kit; applies only to sandboxes started with it.</summary>
    Kit,
}
