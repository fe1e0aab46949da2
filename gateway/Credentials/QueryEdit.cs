namespace Gateway.Credentials;

/// <summary>One change to an upstream URL's query.</summary>
/// <param name="Key">A parameter name (<paramref name="IsParameter"/>) or a placeholder to replace wherever it appears in the query.</param>
/// <param name="EscapedValue">The value, already percent-encoded.</param>
/// <param name="IsParameter">True: set parameter <paramref name="Key"/> to the value, replacing every occurrence or adding it.</param>
internal sealed record QueryEdit(string Key, string EscapedValue, bool IsParameter)
{
    /// <summary>Never prints the value.</summary>
    public override string ToString() => IsParameter ? "set " + Key : "replace a placeholder";
}
