namespace PolicyCompiler.Kits;

/// <summary>The kinds of credential source (<c>credentials.sources.ID</c>); the metric label of a fetch.</summary>
public enum KitSourceKind : byte
{
    /// <summary><c>env: [VAR…]</c>, possibly with a file.</summary>
    Env,

    /// <summary><c>file: {path, parser}</c> alone.</summary>
    File,

    /// <summary><c>command: [ARGV…]</c> with <c>ttl</c> and <c>timeout</c>.</summary>
    Command,

    /// <summary><c>aws: {accessKeyId, secretAccessKey, sessionToken?}</c>.</summary>
    Aws,

    /// <summary><c>oauth2: {tokenUrl, grant, clientId, clientSecret, refreshToken?, scopes?}</c>.</summary>
    OAuth2,

    /// <summary><c>googleServiceAccount: {file | env | command, scopes?}</c>.</summary>
    GoogleServiceAccount,

    /// <summary><c>githubApp: {appId, installationId, privateKey, apiUrl?}</c>.</summary>
    GithubApp,
}
