using System.Collections.Immutable;
using PolicyCompiler.Yaml;

namespace PolicyCompiler.Kits;

/// <summary>
/// Reads a source that yields a value as it is: <c>env</c> and/or <c>file</c> (with <c>priority</c>),
/// or <c>command</c> (with <c>ttl</c> and <c>timeout</c>). Top-level sources and the values nested in
/// aws, oauth2, googleServiceAccount and githubApp share it.
/// </summary>
internal static class KitValueSourceParser
{
    public const string NothingToRead =
        "declares no place to read the credential from; add \"env: [VARIABLE]\", \"file: {path: ...}\" or \"command: [/path/to/cli, args...]\"";

    private static readonly string[] s_keys = ["env", "file", "priority", "command", "ttl", "timeout"];
    private static readonly string[] s_fileKeys = ["path", "parser"];

    /// <summary>A nested value, e.g. <c>aws.accessKeyId</c>: a mapping of the value keys.</summary>
    public static KitCredentialSource Nested(KitNodeReader reader, string name, ConfigOrigin key, ConfigNode node, string path)
    {
        if (KitNodeReader.IsNull(node))
        {
            reader.Error(key, path, NothingToRead);
            return new KitCredentialSource(name, [], null, KitCredentialPriority.EnvFirst);
        }

        if (reader.Mapping(node, path) is not { } mapping)
        {
            return new KitCredentialSource(name, [], null, KitCredentialPriority.EnvFirst);
        }

        return Parse(reader, name, key, reader.Fields(mapping, path, s_keys), path);
    }

    public static KitCredentialSource Parse(
        KitNodeReader reader, string name, ConfigOrigin key, Dictionary<string, (ConfigOrigin Key, ConfigNode Value)> fields, string path)
    {
        if (fields.TryGetValue("command", out var commandField))
        {
            foreach (string other in (string[])["env", "file", "priority"])
            {
                if (fields.TryGetValue(other, out var extra))
                {
                    reader.Error(extra.Key, path, $"\"{other}\" does not go with \"command\"; the command's output is the value, so remove \"{other}\" or make it a source of its own");
                }
            }

            return new KitCredentialSource(name, [], null, KitCredentialPriority.EnvFirst)
            {
                Command = Command(reader, commandField.Value, path, fields),
            };
        }

        foreach (string other in (string[])["ttl", "timeout"])
        {
            if (fields.TryGetValue(other, out var extra))
            {
                reader.Error(extra.Key, KitNodeReader.Child(path, other), $"\"{other}\" applies only to a \"command\" source; remove it (env and file are read on every request)");
            }
        }

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
        bool declaresEnv = envField.Value is { } envNode && !KitNodeReader.IsNull(envNode) && envNode is not { Kind: ConfigNodeKind.Sequence, Items.Count: 0 };
        if (!declaresEnv && fileField.Value is null)
        {
            reader.Error(key, path, NothingToRead);
        }

        return new KitCredentialSource(name, env, file, priority);
    }

    private static KitCommand? Command(KitNodeReader reader, ConfigNode node, string path, Dictionary<string, (ConfigOrigin Key, ConfigNode Value)> fields)
    {
        string commandPath = KitNodeReader.Child(path, "command");
        ImmutableArray<string> argv = reader.StringList(node, commandPath, static _ => null);
        bool valid = true;
        if (argv.IsEmpty)
        {
            reader.Error(node, commandPath, "the command is empty; write the program and its arguments as a list, e.g. [/usr/bin/op, read, \"op://vault/item/field\"]");
            valid = false;
        }
        else if (!argv[0].StartsWith('/'))
        {
            // No shell and no PATH search: what runs must not depend on the daemon's environment.
            reader.Error(node, commandPath, $"\"{argv[0]}\" is not an absolute path; the command runs without a shell or PATH lookup, so write e.g. \"/usr/bin/{Path.GetFileName(argv[0])}\"");
            valid = false;
        }

        TimeSpan ttl = KitCommand.DefaultTtl;
        if (fields.TryGetValue("ttl", out var ttlField))
        {
            ttl = KitDuration.Read(reader, ttlField.Value, KitNodeReader.Child(path, "ttl")) ?? ttl;
        }

        TimeSpan timeout = KitCommand.DefaultTimeout;
        if (fields.TryGetValue("timeout", out var timeoutField))
        {
            timeout = KitDuration.Read(reader, timeoutField.Value, KitNodeReader.Child(path, "timeout")) ?? timeout;
        }

        return valid ? new KitCommand(argv, ttl, timeout) : null;
    }

    private static KitCredentialFile? ParseFile(KitNodeReader reader, ConfigNode node, string path)
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
