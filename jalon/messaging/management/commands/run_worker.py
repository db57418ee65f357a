"""``jalon run_worker``: run huey's consumer on Jalon's queue (SQLite file or Redis)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from huey.consumer_options import ConsumerConfig


class Command(BaseCommand):
    help = ("Exécute les tâches de fond : envoi des courriels, alertes de délais, relève IMAP. "
            "Avec JALON_TASKS_REDIS_URL, plusieurs workers peuvent tourner sur plusieurs machines ; "
            "chacun planifie les tâches périodiques, et chaque échéance ne s'exécute qu'une fois.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workers", type=int, default=2, help="nombre de workers (2)")
        parser.add_argument("--worker-type", choices=["thread", "process", "greenlet"],
                            default="thread")
        parser.add_argument("--no-periodic", action="store_false", dest="periodic",
                            help="ne pas planifier les tâches périodiques sur ce worker (inutile "
                                 "pour éviter les doublons : chaque échéance n'est exécutée "
                                 "qu'une fois, quel que soit le nombre de workers qui la "
                                 "planifient)")
        parser.add_argument("--max-tasks", type=int, default=None,
                            help="s'arrêter après ce nombre de tâches (redémarrage supervisé)")

    def handle(self, *args: Any, **options: Any) -> None:
        from jalon.messaging.tasks import huey

        config = ConsumerConfig(workers=options["workers"], worker_type=options["worker_type"],
                                periodic=options["periodic"], max_tasks=options["max_tasks"])
        config.validate()
        logger = logging.getLogger("huey")
        if not logger.handlers:
            config.setup_logger(logger)
            logger.propagate = False  # its own handler prints it; the root one would repeat it
        self.stdout.write(f"Worker Jalon : {type(huey.storage).__name__}, "
                          f"{config.workers} worker(s) {config.worker_type}.")
        huey.create_consumer(**config.values).run()
