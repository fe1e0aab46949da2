namespace PolicyCompiler.Patterns;

/// <summary>The forms a network rule pattern can take.</summary>
public enum PatternKind : byte
{
    /// <summary>"example.com": that host only, never its subdomains.</summary>
    Exact,

    /// <summary>"*.example.com": any subdomain at any depth, never the root.</summary>
    Wildcard,

    /// <summary>"**": every host, IP literals included.</summary>
    Everything,

    /// <summary>"127.0.0.1", "[::1]": that IP literal only.</summary>
    Address,
}
