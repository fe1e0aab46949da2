using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace PolicyCompiler.Kits;

/// <summary>Reads <c>network.serviceAuth</c>: how each credential is presented to its hosts.</summary>
internal static class KitServiceAuthParser
{
    private static readonly string[] s_keys = ["headerName", "valueFormat", "override"];

    // These headers frame, route or authenticate the hop itself. A kit that could set them could
    // smuggle a second request, redirect one to another host, or pose as another sandbox.
    private static readonly HashSet<string> s_reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Upgrade", "TE", "Trailer",
        "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "Proxy-Authenticate",
    };

    public static ImmutableDictionary<string, KitServiceAuth> Parse(
        KitNodeReader reader,
        Dictionary<string, (YamlScalarNode Key, YamlNode Value)> fields,
        string networkPath,
        KitCredentials credentials,
        HashSet<string> boundSources)
    {
        var result = ImmutableDictionary.CreateBuilder<string, KitServiceAuth>(StringComparer.Ordinal);
        string path = KitNodeReader.Child(networkPath, "serviceAuth");
        if (!fields.TryGetValue("serviceAuth", out var field) || KitNodeReader.IsNull(field.Value)
            || reader.Mapping(field.Value, path) is not { } mapping)
        {
            return result.ToImmutable();
        }

        foreach ((string source, YamlScalarNode key, YamlNode value) in reader.Entries(mapping, path))
        {
            string entryPath = KitNodeReader.Child(path, source);
            if (!credentials.Sources.ContainsKey(source))
            {
                reader.Error(key, entryPath, KitNetworkParser.UndeclaredSource(source, credentials));
            }
            else if (!boundSources.Contains(source))
            {
                reader.Error(key, entryPath, $"source \"{source}\" is bound to no host; add \"api.example.com: {source}\" under network.serviceDomains");
            }

            if (Entry(reader, source, key, value, entryPath) is { } auth)
            {
                result[source] = auth;
            }
        }

        return result.ToImmutable();
    }

    private static KitServiceAuth? Entry(KitNodeReader reader, string source, YamlScalarNode key, YamlNode node, string path)
    {
        if (reader.Mapping(node, path) is not { } mapping)
        {
            return null;
        }

        var fields = reader.Fields(mapping, path, s_keys);
        string? header = Required(reader, fields, key, path, "headerName", "e.g. \"Authorization\"");
        string? format = Required(reader, fields, key, path, "valueFormat", "e.g. \"Bearer %s\"");
        if (header is not null)
        {
            string headerPath = KitNodeReader.Child(path, "headerName");
            if (!KitSyntax.IsToken(header))
            {
                reader.Error(fields["headerName"].Value, headerPath, $"\"{header}\" is not a valid header name; use letters, digits and \"-\", e.g. \"X-Api-Key\"");
                header = null;
            }
            else if (s_reserved.Contains(header))
            {
                reader.Error(fields["headerName"].Value, headerPath, $"\"{header}\" is managed by the proxy and cannot carry a credential; use e.g. \"Authorization\"");
                header = null;
            }
        }

        if (format is not null && CheckFormat(format) is { } problem)
        {
            reader.Error(fields["valueFormat"].Value, KitNodeReader.Child(path, "valueFormat"), problem);
            format = null;
        }

        bool overrideHeader = true;
        if (fields.TryGetValue("override", out var overrideField))
        {
            overrideHeader = reader.Boolean(overrideField.Value, KitNodeReader.Child(path, "override")) ?? true;
        }

        return header is null || format is null ? null : new KitServiceAuth(source, header, format, overrideHeader);
    }

    private static string? Required(
        KitNodeReader reader, Dictionary<string, (YamlScalarNode Key, YamlNode Value)> fields, YamlScalarNode key, string path, string name, string example)
    {
        if (fields.TryGetValue(name, out var field))
        {
            return reader.String(field.Value, KitNodeReader.Child(path, name), required: true);
        }

        reader.Error(key, path, $"missing required key \"{name}\"; {example}");
        return null;
    }

    private static string? CheckFormat(string format)
    {
        int count = 0;
        for (int i = format.IndexOf("%s", StringComparison.Ordinal); i >= 0; i = format.IndexOf("%s", i + 2, StringComparison.Ordinal))
        {
            count++;
        }

        if (count != 1)
        {
            return $"valueFormat \"{format}\" must contain \"%s\" exactly once, where the credential goes; e.g. \"Bearer %s\"";
        }

        foreach (char c in format)
        {
            // CR or LF in a header value would split it into a second header (RFC 9110 §5.5).
            if (char.IsControl(c))
            {
                return "valueFormat contains a control character; a header value must be one line of visible text";
            }
        }

        return null;
    }
}
