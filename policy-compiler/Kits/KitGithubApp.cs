namespace PolicyCompiler.Kits;

/// <summary>A GitHub App installation token, minted from an app JWT signed with the app's private key.</summary>
/// <param name="AppId">The app id (the JWT issuer).</param>
/// <param name="InstallationId">The installation the token is for.</param>
/// <param name="PrivateKey">Where the app's PEM private key (RSA) is read.</param>
/// <param name="ApiUrl">The REST API base, e.g. "https://api.github.com" or a GitHub Enterprise Server's "https://HOST/api/v3".</param>
public sealed record KitGithubApp(long AppId, long InstallationId, KitCredentialSource PrivateKey, Uri ApiUrl)
{
    /// <summary>The API base when none is written.</summary>
    public static readonly Uri DefaultApiUrl = new("https://api.github.com");
}
