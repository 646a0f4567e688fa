"""What gunicorn serves: ``gunicorn wsgi:app``. APP_CONFIG picks the settings class."""
import os

from community import create_app

app = create_app(os.environ.get("APP_CONFIG", "default"))
