using System.Collections.Immutable;
using PolicyCompiler.Yaml;

namespace PolicyCompiler.Kits;

/// <summary>Reads <c>network.serviceAuth</c>: how each credential is presented to its hosts.</summary>
internal static class KitServiceAuthParser
{
    private static readonly string[] s_keys = ["headerName", "valueFormat", "override", "scheme", "username", "parameter", "region", "service"];

    // These headers frame, route or authenticate the hop itself. A kit that could set them could
    // smuggle a second request, redirect one to another host, or pose as another sandbox.
    private static readonly HashSet<string> s_reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Upgrade", "TE", "Trailer",
        "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "Proxy-Authenticate",
    };

    public static ImmutableDictionary<string, KitServiceAuth> Parse(
        KitNodeReader reader,
        Dictionary<string, (ConfigOrigin Key, ConfigNode Value)> fields,
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

        foreach ((string source, ConfigOrigin key, ConfigNode value) in mapping.Entries)
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
                // An AWS key pair cannot go into a header as it is, and only a key pair can sign.
                bool keyPair = credentials.Sources.TryGetValue(source, out KitCredentialSource? declared) && declared.Aws is not null;
                if (keyPair != (auth.Scheme == KitAuthScheme.AwsSigV4))
                {
                    reader.Error(key, entryPath, keyPair
                        ? $"source \"{source}\" is an AWS key pair; present it with \"scheme: aws-sigv4\""
                        : $"\"scheme: aws-sigv4\" signs with an AWS key pair; declare source \"{source}\" with \"aws: {{accessKeyId: ..., secretAccessKey: ...}}\"");
                }

                result[source] = auth;
            }
        }

        return result.ToImmutable();
    }

    private static KitServiceAuth? Entry(KitNodeReader reader, string source, ConfigOrigin key, ConfigNode node, string path)
    {
        if (reader.Mapping(node, path) is not { } mapping)
        {
            return null;
        }

        var fields = reader.Fields(mapping, path, s_keys);
        KitAuthScheme scheme = KitAuthScheme.Header;
        if (fields.TryGetValue("scheme", out var schemeField))
        {
            string schemePath = KitNodeReader.Child(path, "scheme");
            switch (reader.String(schemeField.Value, schemePath, required: true))
            {
                case null:
                    return null;
                case "bearer":
                    scheme = KitAuthScheme.Bearer;
                    break;
                case "basic":
                    scheme = KitAuthScheme.Basic;
                    break;
                case "query":
                    scheme = KitAuthScheme.Query;
                    break;
                case "aws-sigv4":
                    scheme = KitAuthScheme.AwsSigV4;
                    break;
                case { } other:
                    reader.Error(schemeField.Value, schemePath, $"\"{other}\" is not a scheme; use bearer, basic, query or aws-sigv4, or omit it and write headerName and valueFormat");
                    return null;
            }
        }

        bool overrideHeader = true;
        if (fields.TryGetValue("override", out var overrideField))
        {
            overrideHeader = reader.Boolean(overrideField.Value, KitNodeReader.Child(path, "override")) ?? true;
        }

        // Each key belongs to one scheme; a key of another scheme would be silently ignored.
        int errors = reader.Errors.Count;
        Only(reader, fields, path, scheme, "headerName", KitAuthScheme.Header);
        Only(reader, fields, path, scheme, "valueFormat", KitAuthScheme.Header);
        Only(reader, fields, path, scheme, "username", KitAuthScheme.Basic);
        Only(reader, fields, path, scheme, "parameter", KitAuthScheme.Query);
        Only(reader, fields, path, scheme, "region", KitAuthScheme.AwsSigV4);
        Only(reader, fields, path, scheme, "service", KitAuthScheme.AwsSigV4);
        bool valid = reader.Errors.Count == errors;
        switch (scheme)
        {
            case KitAuthScheme.Header:
                return HeaderEntry(reader, source, key, fields, path, overrideHeader);
            case KitAuthScheme.Bearer:
                return valid ? new KitServiceAuth(source, "Authorization", "Bearer %s", overrideHeader) { Scheme = scheme } : null;
            case KitAuthScheme.Basic:
                string? username = Required(reader, fields, key, path, "username", "git over HTTPS takes \"x-access-token\"");
                if (username is not null && (username.Contains(':', StringComparison.Ordinal) || username.AsSpan().ContainsAnyInRange('\0', '\x1f')))
                {
                    // RFC 7617 §2: the user-id cannot contain a colon.
                    reader.Error(fields["username"].Value, KitNodeReader.Child(path, "username"), "a Basic user name cannot contain \":\" or control characters");
                    username = null;
                }

                return valid && username is not null ? new KitServiceAuth(source, "Authorization", "Basic %s", overrideHeader) { Scheme = scheme, Username = username } : null;
            case KitAuthScheme.Query:
                string? parameter = Required(reader, fields, key, path, "parameter", "e.g. \"key\"");
                if (parameter is not null && !IsQueryName(parameter))
                {
                    reader.Error(fields["parameter"].Value, KitNodeReader.Child(path, "parameter"), $"\"{parameter}\" is not a plain query parameter name; use letters, digits, \"-\", \"_\" and \".\", e.g. \"key\"");
                    parameter = null;
                }

                return valid && parameter is not null ? new KitServiceAuth(source, "", "%s", overrideHeader) { Scheme = scheme, Parameter = parameter } : null;
            default:
                string? region = Optional(reader, fields, path, "region", "us-east-1");
                string? service = Optional(reader, fields, path, "service", "bedrock");
                return valid && reader.Errors.Count == errors
                    ? new KitServiceAuth(source, "Authorization", "%s", overrideHeader) { Scheme = scheme, Region = region, Service = service }
                    : null;
        }
    }

    private static KitServiceAuth? HeaderEntry(
        KitNodeReader reader, string source, ConfigOrigin key, Dictionary<string, (ConfigOrigin Key, ConfigNode Value)> fields, string path, bool overrideHeader)
    {
        string? header = Required(reader, fields, key, path, "headerName", "e.g. \"Authorization\", or use \"scheme: bearer\"");
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

        return header is null || format is null ? null : new KitServiceAuth(source, header, format, overrideHeader);
    }

    private static void Only(
        KitNodeReader reader, Dictionary<string, (ConfigOrigin Key, ConfigNode Value)> fields, string path, KitAuthScheme scheme, string name, KitAuthScheme owner)
    {
        if (scheme != owner && fields.TryGetValue(name, out var field))
        {
            string belongs = owner == KitAuthScheme.Header ? "goes with no scheme (headerName + valueFormat)" : $"goes with \"scheme: {SchemeName(owner)}\"";
            reader.Error(field.Key, KitNodeReader.Child(path, name), $"\"{name}\" {belongs}, not {(scheme == KitAuthScheme.Header ? "a header entry" : $"\"scheme: {SchemeName(scheme)}\"")}; remove it");
        }
    }

    private static string SchemeName(KitAuthScheme scheme) => scheme switch
    {
        KitAuthScheme.Bearer => "bearer",
        KitAuthScheme.Basic => "basic",
        KitAuthScheme.Query => "query",
        KitAuthScheme.AwsSigV4 => "aws-sigv4",
        _ => "header",
    };

    private static string? Optional(KitNodeReader reader, Dictionary<string, (ConfigOrigin Key, ConfigNode Value)> fields, string path, string name, string example)
    {
        if (!fields.TryGetValue(name, out var field))
        {
            return null;
        }

        string valuePath = KitNodeReader.Child(path, name);
        string? value = reader.String(field.Value, valuePath, required: true);
        foreach (char c in value ?? "")
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                reader.Error(field.Value, valuePath, $"\"{value}\" is not an AWS {name} name; use lowercase letters, digits and \"-\", e.g. \"{example}\"");
                return null;
            }
        }

        return value is { Length: > 0 } ? value : null;
    }

    private static bool IsQueryName(string name)
    {
        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~'))
            {
                return false;
            }
        }

        return name.Length > 0;
    }

    private static string? Required(
        KitNodeReader reader, Dictionary<string, (ConfigOrigin Key, ConfigNode Value)> fields, ConfigOrigin key, string path, string name, string example)
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
