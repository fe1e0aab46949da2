namespace PolicyCompiler.Patterns;

/// <summary>
/// One parsed, canonical resource of a network rule. Immutable; created only by
/// <see cref="PatternParser"/>, so every instance is valid.
/// </summary>
public sealed class RulePattern : IEquatable<RulePattern>
{
    internal RulePattern(PatternKind kind, string host, int port, UInt128 address)
    {
        Kind = kind;
        Host = host;
        Port = port;
        Address = address;
        string hostText = kind switch
        {
            PatternKind.Wildcard => "*." + host,
            PatternKind.Everything => "**",
            PatternKind.Address when host.Contains(':', StringComparison.Ordinal) => "[" + host + "]",
            _ => host,
        };
        Text = port == 0 ? hostText : hostText + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The form of the pattern.</summary>
    public PatternKind Kind { get; }

    /// <summary>Canonical host: the name (without "*." for wildcards), the IP text, or "**".</summary>
    public string Host { get; }

    /// <summary>The port the pattern is limited to, or 0 for every port.</summary>
    public int Port { get; }

    /// <summary>For <see cref="PatternKind.Address"/>: the address (IPv4 as IPv4-mapped).</summary>
    public UInt128 Address { get; }

    /// <summary>The canonical text, as stored and listed: "*.example.com:443".</summary>
    public string Text { get; }

    /// <inheritdoc />
    public bool Equals(RulePattern? other) => other is not null && string.Equals(Text, other.Text, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as RulePattern);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    /// <inheritdoc />
    public override string ToString() => Text;
}
