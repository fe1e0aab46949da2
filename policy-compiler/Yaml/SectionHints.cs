namespace PolicyCompiler.Yaml;

/// <summary>
/// Where a section written at the wrong level belongs, for keys that are no typo of a known one
/// (edit distance finds nothing) yet have an obvious home: a top-level <c>oauth:</c> would otherwise
/// be reported with only the list of valid keys. Shared by kits and the gateway configuration,
/// whose credential sources have the same shapes.
/// </summary>
public static class SectionHints
{
    /// <summary>The hint for <paramref name="key"/> written at the top level, or null.</summary>
    public static string? ForTopLevel(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.ToLowerInvariant() switch
        {
            "oauth" or "oauth2" => "an OAuth2 token source goes under credentials.sources.NAME.oauth2 (tokenUrl, clientId, clientSecret)",
            "sources" => "credential sources go under credentials.sources",
            "alloweddomains" or "denieddomains" or "servicedomains" or "serviceauth" or "rules" => $"\"{key}\" goes under network",
            "network" or "environment" => $"\"{key}\" is a kit section; write it in a kit's spec.yaml and list that file under kits",
            _ => null,
        };
    }
}
