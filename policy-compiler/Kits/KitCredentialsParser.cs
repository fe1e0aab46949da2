using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace PolicyCompiler.Kits;

/// <summary>Reads the <c>credentials</c> section.</summary>
internal static class KitCredentialsParser
{
    private static readonly string[] s_sectionKeys = ["sources"];
    private static readonly string[] s_sourceKeys = ["env", "file", "priority"];
    private static readonly string[] s_fileKeys = ["path", "parser"];

    public static KitCredentials Parse(KitNodeReader reader, YamlNode node, string path)
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
            foreach ((string name, YamlScalarNode key, YamlNode value) in reader.Entries(mapping, sourcesPath))
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

    private static KitCredentialSource ParseSource(KitNodeReader reader, string name, YamlScalarNode key, YamlNode node, string path)
    {
        var empty = new KitCredentialSource(name, [], null, KitCredentialPriority.EnvFirst);
        if (KitNodeReader.IsNull(node))
        {
            reader.Error(key, path, "declares no place to read the credential from; add \"env: [VARIABLE]\" or \"file: {path: ...}\"");
            return empty;
        }

        if (reader.Mapping(node, path) is not { } mapping)
        {
            return empty;
        }

        var fields = reader.Fields(mapping, path, s_sourceKeys);
        ImmutableArray<string> env = fields.TryGetValue("env", out var envField)
            ? reader.StringList(envField.Value, KitNodeReader.Child(path, "env"), KitSyntax.CheckVariableName)
            : [];
        KitCredentialFile? file = fields.TryGetValue("file", out var fileField)
            ? ParseFile(reader, fileField.Value, KitNodeReader.Child(path, "file"))
            : null;
        var priority = KitCredentialPriority.EnvFirst;
        if (fields.TryGetValue("priority", out var priorityField))
        {
            string priorityPath = KitNodeReader.Child(path, "priority");
            switch (reader.String(priorityField.Value, priorityPath, required: true))
            {
                case null or "env-first":
                    break;
                case "file-first":
                    priority = KitCredentialPriority.FileFirst;
                    break;
                case { } other:
                    reader.Error(priorityField.Value, priorityPath, $"\"{other}\" is not a priority; use \"env-first\" or \"file-first\"");
                    break;
            }
        }

        // Absent fields leave the tuples default; an empty env list with no file gives the proxy nothing to read.
        bool declaresEnv = envField.Value is { } envNode && !KitNodeReader.IsNull(envNode) && envNode is not YamlSequenceNode { Children.Count: 0 };
        if (!declaresEnv && fileField.Value is null)
        {
            reader.Error(key, path, "declares no place to read the credential from; add \"env: [VARIABLE]\" or \"file: {path: ...}\"");
        }

        return new KitCredentialSource(name, env, file, priority);
    }

    private static KitCredentialFile? ParseFile(KitNodeReader reader, YamlNode node, string path)
    {
        if (reader.Mapping(node, path) is not { } mapping)
        {
            return null;
        }

        var fields = reader.Fields(mapping, path, s_fileKeys);
        if (!fields.TryGetValue("path", out var pathField))
        {
            reader.Error(mapping, path, "missing required key \"path\"; name the host file, e.g. \"~/.config/tool/token\"");
            return null;
        }

        string? filePath = reader.String(pathField.Value, KitNodeReader.Child(path, "path"), required: true);
        if (filePath is { Length: 0 })
        {
            reader.Error(pathField.Value, KitNodeReader.Child(path, "path"), "the path is empty; name the host file, e.g. \"~/.config/tool/token\"");
            filePath = null;
        }

        string? parser = null;
        if (fields.TryGetValue("parser", out var parserField))
        {
            string parserPath = KitNodeReader.Child(path, "parser");
            parser = reader.String(parserField.Value, parserPath);
            if (parser is { Length: 0 })
            {
                parser = null;
            }
            else if (parser is not null && CheckParser(parser) is { } problem)
            {
                reader.Error(parserField.Value, parserPath, problem);
            }
        }

        return filePath is null ? null : new KitCredentialFile(filePath, parser);
    }

    private static string? CheckParser(string parser)
    {
        const string Json = "json:";
        if (!parser.StartsWith(Json, StringComparison.Ordinal))
        {
            return $"unsupported parser \"{parser}\"; omit it to read the whole file, or use \"json:<dot.path>\"";
        }

        foreach (string segment in parser[Json.Length..].Split('.'))
        {
            if (segment.Length == 0)
            {
                return $"parser \"{parser}\" has an empty path segment; write e.g. \"json:credentials.token\"";
            }
        }

        return null;
    }
}
