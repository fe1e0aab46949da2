using System.Collections.Immutable;
using PolicyCompiler.Yaml;

namespace PolicyCompiler.Kits;

/// <summary>Reads the <c>credentials</c> section: each source is exactly one kind (see <see cref="KitSourceKind"/>).</summary>
internal static class KitCredentialsParser
{
    private static readonly string[] s_sectionKeys = ["sources"];
    private static readonly string[] s_sourceKeys =
        ["env", "file", "priority", "command", "ttl", "timeout", "aws", "oauth2", "googleServiceAccount", "githubApp", "body"];

    public static KitCredentials Parse(KitNodeReader reader, ConfigNode node, string path)
    {
        if (KitNodeReader.IsNull(node) || reader.Mapping(node, path) is not { } section)
        {
            return KitCredentials.Empty;
        }

        var fields = reader.Fields(section, path, s_sectionKeys);
        if (!fields.TryGetValue("sources", out var sources) || KitNodeReader.IsNull(sources.Value))
        {
            return KitCredentials.Empty;
        }

        string sourcesPath = KitNodeReader.Child(path, "sources");
        var result = ImmutableDictionary.CreateBuilder<string, KitCredentialSource>(StringComparer.Ordinal);
        if (reader.Mapping(sources.Value, sourcesPath) is { } mapping)
        {
            foreach ((string name, ConfigOrigin key, ConfigNode value) in mapping.Entries)
            {
                string sourcePath = KitNodeReader.Child(sourcesPath, name);
                if (KitSyntax.CheckSourceName(name) is { } problem)
                {
                    reader.Error(key, sourcePath, problem);
                }

                // Kept even when invalid, so references to it elsewhere are not reported a second time.
                result[name] = ParseSource(reader, name, key, value, sourcePath);
            }
        }

        return new KitCredentials(result.ToImmutable());
    }

    private static KitCredentialSource ParseSource(KitNodeReader reader, string name, ConfigOrigin key, ConfigNode node, string path)
    {
        var empty = new KitCredentialSource(name, [], null, KitCredentialPriority.EnvFirst);
        if (KitNodeReader.IsNull(node))
        {
            reader.Error(key, path, KitValueSourceParser.NothingToRead);
            return empty;
        }

        if (reader.Mapping(node, path) is not { } mapping)
        {
            return empty;
        }

        var fields = reader.Fields(mapping, path, s_sourceKeys);
        string[] minted = ["aws", "oauth2", "googleServiceAccount", "githubApp"];
        string? kind = null;
        foreach (string candidate in minted)
        {
            if (!fields.ContainsKey(candidate))
            {
                continue;
            }

            if (kind is not null)
            {
                reader.Error(fields[candidate].Key, path, $"a source is one kind; \"{kind}\" and \"{candidate}\" are both set, so split them into two sources");
                continue;
            }

            kind = candidate;
        }

        if (kind is null)
        {
            return KitValueSourceParser.Parse(reader, name, key, fields, path) with { Body = Body(reader, fields, path) };
        }

        if (fields.TryGetValue("body", out var body))
        {
            reader.Error(body.Key, KitNodeReader.Child(path, "body"), $"\"body\" substitutes placeholders of env, file or command sources; a \"{kind}\" source has none a body could carry, so remove it");
        }

        foreach (string other in (string[])["env", "file", "priority", "command", "ttl", "timeout"])
        {
            if (fields.TryGetValue(other, out var extra))
            {
                reader.Error(extra.Key, path, $"\"{other}\" does not go with \"{kind}\"; a source is one kind (nest env, file or command inside \"{kind}\" where it reads a value)");
            }
        }

        (ConfigOrigin kindKey, ConfigNode kindNode) = fields[kind];
        string kindPath = KitNodeReader.Child(path, kind);
        return kind switch
        {
            "aws" => empty with { Aws = KitMintedSourceParser.Aws(reader, name, kindKey, kindNode, kindPath) },
            "oauth2" => empty with { OAuth2 = KitMintedSourceParser.OAuth2(reader, name, kindKey, kindNode, kindPath) },
            "googleServiceAccount" => empty with { GoogleServiceAccount = KitMintedSourceParser.GoogleServiceAccount(reader, name, kindKey, kindNode, kindPath) },
            _ => empty with { GithubApp = KitMintedSourceParser.GithubApp(reader, name, kindKey, kindNode, kindPath) },
        };
    }

    // body: true opts a source's placeholders into request-body substitution (DESIGN.md "Credentials").
    private static bool Body(KitNodeReader reader, Dictionary<string, (ConfigOrigin Key, ConfigNode Value)> fields, string path) =>
        fields.TryGetValue("body", out var body) && (reader.Boolean(body.Value, KitNodeReader.Child(path, "body")) ?? false);
}
