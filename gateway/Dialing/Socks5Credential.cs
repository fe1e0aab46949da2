using System.Text;
using Gateway.Configuration;

namespace Gateway.Dialing;

/// <summary>
/// Reads a username/password source at dial time straight into the RFC 1929 request, so a
/// changed secret applies to the next connection and none is kept between dials. Nothing read
/// here is ever logged or put in a message: failures are a single <see cref="EgressError"/>.
/// </summary>
internal static class Socks5Credential
{
    /// <summary>
    /// Writes the RFC 1929 request for <paramref name="source"/> into <paramref name="destination"/>
    /// (at least <see cref="Socks5Frames.MaxAuthRequestLength"/> bytes). False when either part has
    /// no value, or one the protocol cannot carry (empty, over 255 bytes of UTF-8).
    /// </summary>
    public static bool TryWriteRequest(CredentialSourceConfig source, Span<byte> destination, out int written)
    {
        written = 0;
        string? username = source.Username is { } u ? Read(u) : null;
        string? password = source.Password is { } p ? Read(p) : null;
        if (username is null || password is null)
        {
            return false;
        }

        Span<byte> user = stackalloc byte[Socks5Frames.MaxCredentialLength];
        Span<byte> pass = stackalloc byte[Socks5Frames.MaxCredentialLength];
        try
        {
            return Encoding.UTF8.TryGetBytes(username, user, out int userLength)
                && Encoding.UTF8.TryGetBytes(password, pass, out int passLength)
                && Socks5Frames.TryWriteUsernamePassword(destination, user[..userLength], pass[..passLength], out written);
        }
        finally
        {
            pass.Clear();
        }
    }

    /// <summary>The value: the first environment variable set and not empty, else the file (one trailing newline removed), else the literal.</summary>
    internal static string? Read(CredentialValueConfig value)
    {
        foreach (string name in value.Environment)
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } set)
            {
                return set;
            }
        }

        if (value.File is { } file)
        {
            try
            {
                string text = File.ReadAllText(file);
                text = text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2]
                    : text.EndsWith('\n') ? text[..^1]
                    : text;
                return text.Length > 0 ? text : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        return value.Literal is { Length: > 0 } literal ? literal : null;
    }
}
