namespace Gateway.Credentials;

/// <summary>One header line to sign, as it goes on the wire (the name in any case).</summary>
/// <param name="Name">The header name.</param>
/// <param name="Value">Its value; a header sent on several lines appears once per line, in order.</param>
internal readonly record struct SigV4Header(string Name, string Value);
