namespace Gateway.Credentials;

/// <summary>One placeholder to replace in a request body (a source with <c>body: true</c>), as UTF-8 bytes.</summary>
/// <param name="Placeholder">The sandbox's placeholder of the variable.</param>
/// <param name="Secret">The real value it stands for.</param>
internal readonly record struct BodyPlaceholder(byte[] Placeholder, byte[] Secret);
