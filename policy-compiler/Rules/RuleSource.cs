namespace PolicyCompiler.Rules;

/// <summary>The origin of a rule, as shown in the RULE column and audit events.</summary>
public sealed class RuleSource : IEquatable<RuleSource>
{
    private RuleSource(RuleSourceKind kind, string name, string display)
    {
        Kind = kind;
        Name = name;
        Display = display;
    }

    /// <summary>Rules added with `gateway policy allow|deny`.</summary>
    public static RuleSource Local { get; } = new(RuleSourceKind.Local, "local", "local");

    /// <summary>What kind of origin this is.</summary>
    public RuleSourceKind Kind { get; }

    /// <summary>The group or kit name; "local" for local rules.</summary>
    public string Name { get; }

    /// <summary>The text shown to operators: the group name, "local" or "kit:NAME". Precomputed so reporting a decision never allocates.</summary>
    public string Display { get; }

    /// <summary>A built-in group.</summary>
    public static RuleSource BuiltIn(string group) => new(RuleSourceKind.BuiltIn, group, group);

    /// <summary>A kit.</summary>
    public static RuleSource Kit(string kit) => new(RuleSourceKind.Kit, kit, "kit:" + kit);

    /// <inheritdoc />
    public bool Equals(RuleSource? other) => other is not null && Kind == other.Kind && string.Equals(Name, other.Name, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as RuleSource);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, StringComparer.Ordinal.GetHashCode(Name));

    /// <inheritdoc />
    public override string ToString() => Display;
}
