from django.db import migrations

# Typos in the directory search ("pyhton" for "python") have a word similarity
# around 0.4; pg_trgm's default threshold for the indexed `<%` operator is 0.6.
# Set per database so every connection (and pooler) gets it without a query.
SET = """
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I SET pg_trgm.word_similarity_threshold = 0.3',
                 current_database());
END $$;
"""
RESET = """
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I RESET pg_trgm.word_similarity_threshold',
                 current_database());
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("mentors", "0003_search")]
    operations = [migrations.RunSQL(SET, RESET)]
