using System.Collections.Immutable;

namespace PolicyCompiler.Kits;

/// <summary>An OAuth2 token minted at <paramref name="TokenUrl"/> (<c>credentials.sources.ID.oauth2</c>).</summary>
/// <param name="TokenUrl">The token endpoint, an absolute https URL.</param>
/// <param name="Grant">The grant type.</param>
/// <param name="ClientId">The client id.</param>
/// <param name="ClientSecret">The client secret, or null for a public client.</param>
/// <param name="RefreshToken">The refresh token (required for the refresh_token grant), or null.</param>
/// <param name="Scopes">The scopes asked for; empty to ask for none.</param>
public sealed record KitOAuth2(
    Uri TokenUrl, KitOAuth2Grant Grant, KitCredentialSource ClientId, KitCredentialSource? ClientSecret, KitCredentialSource? RefreshToken, ImmutableArray<string> Scopes);
