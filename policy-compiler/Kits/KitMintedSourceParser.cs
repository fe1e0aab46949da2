using System.Collections.Immutable;
using System.Globalization;
using PolicyCompiler.Yaml;

namespace PolicyCompiler.Kits;

/// <summary>Reads the sources whose value is composed or minted: aws, oauth2, googleServiceAccount, githubApp.</summary>
internal static class KitMintedSourceParser
{
    private static readonly string[] s_awsKeys = ["accessKeyId", "secretAccessKey", "sessionToken"];
    private static readonly string[] s_oauth2Keys = ["tokenUrl", "grant", "clientId", "clientSecret", "refreshToken", "scopes"];
    private static readonly string[] s_googleKeys = ["env", "file", "priority", "command", "ttl", "timeout", "scopes"];
    private static readonly string[] s_githubKeys = ["appId", "installationId", "privateKey", "apiUrl"];

    public static KitAwsKeys? Aws(KitNodeReader reader, string name, ConfigOrigin key, ConfigNode node, string path)
    {
        if (Section(reader, key, node, path, "accessKeyId and secretAccessKey") is not { } mapping)
        {
            return null;
        }

        var fields = reader.Fields(mapping, path, s_awsKeys);
        KitCredentialSource? id = Value(reader, name, key, fields, path, "accessKeyId", required: true);
        KitCredentialSource? secret = Value(reader, name, key, fields, path, "secretAccessKey", required: true);
        KitCredentialSource? token = Value(reader, name, key, fields, path, "sessionToken", required: false);
        return id is null || secret is null ? null : new KitAwsKeys(id, secret, token);
    }

    public static KitOAuth2? OAuth2(KitNodeReader reader, string name, ConfigOrigin key, ConfigNode node, string path)
    {
        if (Section(reader, key, node, path, "tokenUrl, grant and clientId") is not { } mapping)
        {
            return null;
        }

        var fields = reader.Fields(mapping, path, s_oauth2Keys);
        Uri? tokenUrl = null;
        if (!fields.TryGetValue("tokenUrl", out var urlField))
        {
            reader.Error(key, path, "missing required key \"tokenUrl\"; e.g. \"https://auth.example.com/oauth/token\"");
        }
        else
        {
            tokenUrl = HttpsUrl(reader, urlField.Value, KitNodeReader.Child(path, "tokenUrl"), "https://auth.example.com/oauth/token");
        }

        KitOAuth2Grant? grant = null;
        if (!fields.TryGetValue("grant", out var grantField))
        {
            reader.Error(key, path, "missing required key \"grant\"; use \"client_credentials\" or \"refresh_token\"");
        }
        else
        {
            string grantPath = KitNodeReader.Child(path, "grant");
            switch (reader.String(grantField.Value, grantPath, required: true))
            {
                case "client_credentials":
                    grant = KitOAuth2Grant.ClientCredentials;
                    break;
                case "refresh_token":
                    grant = KitOAuth2Grant.RefreshToken;
                    break;
                case { } other:
                    reader.Error(grantField.Value, grantPath, $"\"{other}\" is not a supported grant; use \"client_credentials\" or \"refresh_token\"");
                    break;
            }
        }

        KitCredentialSource? clientId = Value(reader, name, key, fields, path, "clientId", required: true);
        KitCredentialSource? clientSecret = Value(reader, name, key, fields, path, "clientSecret", required: grant == KitOAuth2Grant.ClientCredentials);
        KitCredentialSource? refreshToken = Value(reader, name, key, fields, path, "refreshToken", required: grant == KitOAuth2Grant.RefreshToken);
        if (grant == KitOAuth2Grant.ClientCredentials && fields.TryGetValue("refreshToken", out var unused))
        {
            reader.Error(unused.Key, path, "\"refreshToken\" is used only with grant: refresh_token; remove it or change the grant");
        }

        ImmutableArray<string> scopes = fields.TryGetValue("scopes", out var scopesField)
            ? reader.StringList(scopesField.Value, KitNodeReader.Child(path, "scopes"), CheckScope)
            : [];
        return tokenUrl is null || grant is null || clientId is null ? null
            : new KitOAuth2(tokenUrl, grant.Value, clientId, clientSecret, refreshToken, scopes);
    }

    public static KitGoogleServiceAccount? GoogleServiceAccount(KitNodeReader reader, string name, ConfigOrigin key, ConfigNode node, string path)
    {
        if (Section(reader, key, node, path, "file: {path: /etc/egress-gateway/sa.json}") is not { } mapping)
        {
            return null;
        }

        var fields = reader.Fields(mapping, path, s_googleKeys);
        ImmutableArray<string> scopes = fields.TryGetValue("scopes", out var scopesField)
            ? reader.StringList(scopesField.Value, KitNodeReader.Child(path, "scopes"), CheckScope)
            : [KitGoogleServiceAccount.DefaultScope];
        fields.Remove("scopes");
        int errors = reader.Errors.Count;
        KitCredentialSource json = KitValueSourceParser.Parse(reader, name + ".googleServiceAccount", key, fields, path);
        return reader.Errors.Count == errors ? new KitGoogleServiceAccount(json, scopes) : null;
    }

    public static KitGithubApp? GithubApp(KitNodeReader reader, string name, ConfigOrigin key, ConfigNode node, string path)
    {
        if (Section(reader, key, node, path, "appId, installationId and privateKey") is not { } mapping)
        {
            return null;
        }

        var fields = reader.Fields(mapping, path, s_githubKeys);
        long? appId = Id(reader, key, fields, path, "appId");
        long? installationId = Id(reader, key, fields, path, "installationId");
        KitCredentialSource? privateKey = Value(reader, name, key, fields, path, "privateKey", required: true);
        Uri apiUrl = KitGithubApp.DefaultApiUrl;
        if (fields.TryGetValue("apiUrl", out var apiField))
        {
            apiUrl = HttpsUrl(reader, apiField.Value, KitNodeReader.Child(path, "apiUrl"), "https://github.example.com/api/v3") ?? apiUrl;
        }

        return appId is null || installationId is null || privateKey is null ? null
            : new KitGithubApp(appId.Value, installationId.Value, privateKey, apiUrl);
    }

    private static ConfigNode? Section(KitNodeReader reader, ConfigOrigin key, ConfigNode node, string path, string needs)
    {
        if (KitNodeReader.IsNull(node))
        {
            reader.Error(key, path, $"is empty; it needs {needs}");
            return null;
        }

        return reader.Mapping(node, path);
    }

    private static KitCredentialSource? Value(
        KitNodeReader reader, string name, ConfigOrigin key, Dictionary<string, (ConfigOrigin Key, ConfigNode Value)> fields, string path, string field, bool required)
    {
        if (fields.TryGetValue(field, out var entry))
        {
            return KitValueSourceParser.Nested(reader, name + "." + field, entry.Key, entry.Value, KitNodeReader.Child(path, field));
        }

        if (required)
        {
            reader.Error(key, path, $"missing required key \"{field}\"; e.g. \"{field}: {{env: [VARIABLE]}}\"");
        }

        return null;
    }

    private static long? Id(KitNodeReader reader, ConfigOrigin key, Dictionary<string, (ConfigOrigin Key, ConfigNode Value)> fields, string path, string field)
    {
        if (!fields.TryGetValue(field, out var entry))
        {
            reader.Error(key, path, $"missing required key \"{field}\"; the number GitHub shows on the app's settings page");
            return null;
        }

        string idPath = KitNodeReader.Child(path, field);
        string? text = reader.String(entry.Value, idPath, required: true);
        if (text is null)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long id) || id <= 0)
        {
            reader.Error(entry.Value, idPath, $"\"{text}\" is not a positive number; write the id as digits, e.g. 1234");
            return null;
        }

        return id;
    }

    private static Uri? HttpsUrl(KitNodeReader reader, ConfigNode node, string path, string example)
    {
        string? text = reader.String(node, path, required: true);
        if (text is null)
        {
            return null;
        }

        // A token request carries the client secret or a signed assertion: never over plain HTTP.
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? url) || url.Scheme != Uri.UriSchemeHttps || url.Host.Length == 0
            || url.UserInfo.Length > 0 || url.Fragment.Length > 0)
        {
            reader.Error(node, path, $"\"{text}\" is not an absolute https URL without user info or fragment; e.g. \"{example}\"");
            return null;
        }

        return url;
    }

    private static string? CheckScope(string scope)
    {
        foreach (char c in scope)
        {
            // RFC 6749 §3.3: scope tokens are printable ASCII without space, '"' or '\'.
            if (c <= ' ' || c > '~' || c is '"' or '\\')
            {
                return $"\"{scope}\" is not a scope token (printable ASCII, no spaces or quotes); list each scope separately";
            }
        }

        return scope.Length == 0 ? "a scope is empty" : null;
    }
}
