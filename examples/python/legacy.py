# A script written for the old pure-Python sethealth 1.8.0 package, kept
# unchanged: it runs as is against this package. It reads SETHEALTH_KEY and
# SETHEALTH_SECRET (and SETHEALTH_API_URL and SETHEALTH_CA_FILE, which the
# old package ignored).
import sethealth

# Create sethealth client
client = sethealth.Client()

# Ask for a short-living access token
token = client.getToken(user_id="legacy-user")
print("ACCESS TOKEN: " + token)
