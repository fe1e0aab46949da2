using PolicyCompiler.Patterns;
using PolicyCompiler.Yaml;

namespace PolicyCompiler.Kits;

/// <summary>Reads <c>network.proxy: {type: socks5, address: HOST:PORT, credentialRef: NAME}</c>.</summary>
internal static class KitProxyParser
{
    private const string Scheme = "socks5://";
    private static readonly string[] s_keys = ["type", "address", "credentialRef"];

    /// <summary>The proxy, or null when the section is absent or invalid (every problem reported).</summary>
    public static KitProxy? Parse(KitNodeReader reader, ConfigNode node, string path)
    {
        if (KitNodeReader.IsNull(node) || reader.Mapping(node, path) is not { } mapping)
        {
            return null;
        }

        var fields = reader.Fields(mapping, path, s_keys);
        int errorsBefore = reader.Errors.Count;
        if (!fields.TryGetValue("type", out var typeField))
        {
            reader.Error(mapping, path, $"missing required key \"type\"; write \"type: {KitProxy.Socks5Type}\"");
        }
        else if (reader.String(typeField.Value, KitNodeReader.Child(path, "type"), required: true) is { } type
            && !string.Equals(type, KitProxy.Socks5Type, StringComparison.Ordinal))
        {
            reader.Error(typeField.Value, KitNodeReader.Child(path, "type"),
                $"\"{type}\" is not a proxy type; only \"{KitProxy.Socks5Type}\" is supported (HTTP proxies, UDP, QUIC and VPN tunnels are not)");
        }

        (string Host, int Port)? address = null;
        if (!fields.TryGetValue("address", out var addressField))
        {
            reader.Error(mapping, path, "missing required key \"address\"; name the proxy, e.g. \"address: proxy.example.com:1080\"");
        }
        else if (reader.String(addressField.Value, KitNodeReader.Child(path, "address"), required: true) is { } text)
        {
            address = Address(reader, addressField.Value, KitNodeReader.Child(path, "address"), text);
        }

        string? credentialRef = null;
        if (fields.TryGetValue("credentialRef", out var credentialField))
        {
            string credentialPath = KitNodeReader.Child(path, "credentialRef");
            credentialRef = reader.String(credentialField.Value, credentialPath);
            if (credentialRef is { Length: 0 })
            {
                credentialRef = null; // the reference: "leave it empty for a SOCKS5 proxy that does not require authentication"
            }
            else if (credentialRef is not null && KitSyntax.CheckSourceName(credentialRef) is { } problem)
            {
                reader.Error(credentialField.Value, credentialPath, problem);
            }
        }

        return address is { } a && reader.Errors.Count == errorsBefore ? new KitProxy(a.Host, a.Port, credentialRef) : null;
    }

    private static (string Host, int Port)? Address(KitNodeReader reader, ConfigNode node, string path, string text)
    {
        string authority = text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? text[Scheme.Length..].TrimEnd('/') : text;
        if (authority.Contains('@', StringComparison.Ordinal))
        {
            reader.Error(node, path, "the proxy address carries no credentials; name a username/password source with credentialRef");
            return null;
        }

        // A proxy address is a host and a port: the rule-pattern grammar already says which hosts are valid.
        if (!PatternParser.TryParse(authority, out RulePattern? pattern, out string? error))
        {
            reader.Error(node, path, $"\"{text}\" is not a proxy address: {error}");
            return null;
        }

        if (pattern!.Kind is not (PatternKind.Exact or PatternKind.Address))
        {
            reader.Error(node, path, $"\"{text}\" is a pattern; name one proxy, e.g. \"proxy.example.com:1080\"");
            return null;
        }

        if (pattern.Port == 0)
        {
            reader.Error(node, path, $"\"{text}\" needs a port; write e.g. \"{pattern.Host}:1080\"");
            return null;
        }

        return (pattern.Host, pattern.Port);
    }
}
