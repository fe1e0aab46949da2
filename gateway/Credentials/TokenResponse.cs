using System.Globalization;
using System.Text.Json;

namespace Gateway.Credentials;

/// <summary>Reads the fields of an OAuth2 token response (RFC 6749 §5.1) that the broker uses.</summary>
internal static class TokenResponse
{
    /// <summary>How long a token without <c>expires_in</c> is used: short, since its real life is unknown.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);

    /// <summary>The access token and its lifetime, or null when the response has no usable access token.</summary>
    public static (string Token, TimeSpan Lifetime)? Read(JsonElement body)
    {
        if (!body.TryGetProperty("access_token", out JsonElement token) || token.ValueKind != JsonValueKind.String
            || token.GetString() is not { Length: > 0 } value)
        {
            return null;
        }

        TimeSpan lifetime = DefaultLifetime;
        if (body.TryGetProperty("expires_in", out JsonElement expires))
        {
            // Some servers send the number as a string.
            double seconds = expires.ValueKind switch
            {
                JsonValueKind.Number => expires.GetDouble(),
                JsonValueKind.String when double.TryParse(expires.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => parsed,
                _ => -1,
            };
            if (seconds > 0 && seconds < TimeSpan.FromDays(366).TotalSeconds)
            {
                lifetime = TimeSpan.FromSeconds(seconds);
            }
        }

        return (value, lifetime);
    }

    /// <summary>A string field of the response, or null.</summary>
    public static string? String(JsonElement body, string name) =>
        body.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
