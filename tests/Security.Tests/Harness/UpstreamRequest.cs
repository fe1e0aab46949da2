namespace Security.Tests.Harness;

/// <summary>One request as <see cref="RawHttp11Upstream"/> framed it: the SNI of its connection, the request line, headers in order, the body, and what was wrong with it.</summary>
internal sealed record UpstreamRequest(string Sni, string Method, string Target, List<(string Name, string Value)> Headers, string Body, List<string> Problems)
{
    /// <summary>Every value of <paramref name="name"/>, case-insensitively.</summary>
    public List<string> Values(string name) => [.. Headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value)];

    public override string ToString() =>
        $"sni={Sni} {Method} {Target} [{string.Join("; ", Headers.Select(h => h.Name + ": " + h.Value))}] body={Body} problems=[{string.Join("; ", Problems)}]";
}
