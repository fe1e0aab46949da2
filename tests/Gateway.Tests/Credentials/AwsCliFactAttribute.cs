namespace Gateway.Tests.Credentials;

/// <summary>A fact that drives the Debian AWS CLI against a botocore-verifying origin; skipped with the reason where either is missing.</summary>
public sealed class AwsCliFactAttribute : FactAttribute
{
    public const string Aws = "/usr/bin/aws";

    public AwsCliFactAttribute()
    {
        if (!File.Exists(Aws))
        {
            Skip = "needs /usr/bin/aws: apt-get install awscli (test.sh does as root)";
        }
        else if (Botocore.Missing is { } why)
        {
            Skip = why;
        }
    }
}
