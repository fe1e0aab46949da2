namespace PolicyCompiler.Kits;

/// <summary>The OAuth2 grant a token is minted with (RFC 6749 §4.4 and §6).</summary>
public enum KitOAuth2Grant : byte
{
    /// <summary><c>client_credentials</c>: the client authenticates as itself.</summary>
    ClientCredentials,

    /// <summary><c>refresh_token</c>: a long-lived refresh token is exchanged for access tokens.</summary>
    RefreshToken,
}
