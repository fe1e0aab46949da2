using System.Collections.Frozen;
using PolicyCompiler.Yaml;

namespace Gateway.Configuration;

/// <summary><c>credentials.sources</c>: where each named credential is read from on the host.</summary>
internal sealed partial class ConfigValidator
{
    private static readonly string[] s_credentialsKeys = ["sources"];
    private static readonly string[] s_sourceKeys = ["env", "file", "username", "password"];
    private static readonly string[] s_valueKeys = ["env", "file"];

    private CredentialsConfig ReadCredentials(ConfigNode? node)
    {
        ConfigSection section = Open(node, "credentials", s_credentialsKeys);
        var sources = new Dictionary<string, CredentialSourceConfig>(StringComparer.Ordinal);
        foreach (ConfigEntry entry in NamedEntries(section.Get("sources"), "credentials.sources", "{ my-service: { env: [MY_SERVICE_API_KEY] } }"))
        {
            string path = YamlKeyPath.Child("credentials.sources", entry.Key);
            if (!IsSourceName(entry.Key))
            {
                Report(entry.KeyOrigin, path,
                    $"\"{entry.Key}\" is not a credential source name; use letters, digits, '-', '_' and '.', starting with a letter or digit");
                continue;
            }

            if (ReadSource(entry.Key, entry.Value, path) is { } source)
            {
                sources.TryAdd(entry.Key, source);
            }
        }

        return new CredentialsConfig(sources.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private CredentialSourceConfig? ReadSource(string name, ConfigNode node, string path)
    {
        ConfigSection section = Open(node, path, s_sourceKeys);
        bool hasSecret = section.Get("env") is not null || section.Get("file") is not null;
        CredentialValueConfig? secret = hasSecret ? ReadValue(section, path) : null;
        CredentialValueConfig? username = ReadPairPart(section.Get("username"), section.PathOf("username"), literalAllowed: true);
        CredentialValueConfig? password = ReadPairPart(section.Get("password"), section.PathOf("password"), literalAllowed: false);
        bool hasUser = section.Get("username") is { Kind: not ConfigNodeKind.Null };
        bool hasPassword = section.Get("password") is { Kind: not ConfigNodeKind.Null };

        string? problem = (hasSecret, hasUser, hasPassword) switch
        {
            (true, _, _) when hasUser || hasPassword =>
                "use env/file for one secret or username and password for a pair, not both",
            (false, false, false) => "a credential source needs env: [VARIABLE], file: PATH, or username and password",
            (false, true, false) => "username needs a password",
            (false, false, true) => "password needs a username",
            _ => null,
        };

        if (problem is not null)
        {
            Report(section.Origin, path, problem);
            return null;
        }

        return secret is not null || (username is not null && password is not null)
            ? new CredentialSourceConfig(name, secret, username, password)
            : null;
    }

    // A user name may be written out; a password never is, so a config file is never a secret.
    private CredentialValueConfig? ReadPairPart(ConfigNode? node, string path, bool literalAllowed)
    {
        if (node is null || node.Kind == ConfigNodeKind.Null)
        {
            return null;
        }

        if (node.Kind == ConfigNodeKind.Scalar)
        {
            if (literalAllowed && node.Value!.Length > 0)
            {
                return new CredentialValueConfig([], null, node.Value);
            }

            Report(node, path, literalAllowed
                ? "empty; write the user name or read it with env: [VARIABLE] or file: PATH"
                : "a secret is never written in the configuration; read it with env: [VARIABLE] or file: PATH");
            return null;
        }

        ConfigSection section = Open(node, path, s_valueKeys);
        if (section.Get("env") is null && section.Get("file") is null)
        {
            Report(node, path, "needs env: [VARIABLE] or file: PATH");
            return null;
        }

        return ReadValue(section, path);
    }

    private CredentialValueConfig? ReadValue(ConfigSection section, string path)
    {
        var names = new List<string>();
        bool valid = true;
        foreach ((ConfigNode item, string itemPath) in Items(section.Get("env"), section.PathOf("env")))
        {
            if (!TryText(item, itemPath, out string name))
            {
                valid = false;
            }
            else if (!IsVariableName(name))
            {
                Report(item, itemPath,
                    $"\"{name}\" is not an environment variable name; use letters, digits and '_', not starting with a digit");
                valid = false;
            }
            else
            {
                names.Add(name);
            }
        }

        string? file = null;
        if (section.Get("file") is { } fileNode && TryText(fileNode, section.PathOf("file"), out string text))
        {
            valid &= TryPath(fileNode, section.PathOf("file"), text, out string full);
            file = full;
        }

        if (valid && names.Count == 0 && file is null)
        {
            Report(section.Origin, path, "needs env: [VARIABLE] or file: PATH");
            valid = false;
        }

        return valid ? new CredentialValueConfig(ToImmutable(names), file, null) : null;
    }

    private static bool IsSourceName(string name) =>
        name.Length is > 0 and <= 63
        && char.IsAsciiLetterOrDigit(name[0])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static bool IsVariableName(string name) =>
        name.Length > 0
        && !char.IsAsciiDigit(name[0])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
