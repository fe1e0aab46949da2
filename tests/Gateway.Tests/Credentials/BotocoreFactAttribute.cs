namespace Gateway.Tests.Credentials;

/// <summary>A fact that needs Debian python3-botocore; skipped with the reason where it is missing.</summary>
public sealed class BotocoreFactAttribute : FactAttribute
{
    public BotocoreFactAttribute()
    {
        if (Botocore.Missing is { } why)
        {
            Skip = why;
        }
    }
}
